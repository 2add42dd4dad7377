import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBody } from '../../../src/driver/ops-executor.js';

/** The object the driver creates, as it was built before the template (the reference). */
function reference(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  ts: string,
  node: string,
  subnet: string,
): string {
  return JSON.stringify({
    apiVersion: 'network.example.com/v1alpha1',
    kind: 'NetworkAttachment',
    metadata: { name, namespace, labels, annotations: { 'precise/createTimestamp': ts } },
    spec: { node, subnet },
  });
}

describe('the create body template with test commands', () => {
  it('adds postCreateExec and postDeleteExec to the spec, as JSON.stringify would', () => {
    const exec = {
      postCreateExec: ['/usr/local/kos/bin/TestByPing', '${ifname}', 'r-3', '${ipv4}/26'],
      postDeleteExec: ['/usr/local/kos/bin/RemoveNetNS', 'r-3'],
    };
    const body = createBody('r', { app: 'a' }, ['comp0']);
    const expected = JSON.stringify({
      apiVersion: 'network.example.com/v1alpha1',
      kind: 'NetworkAttachment',
      metadata: {
        name: 'n',
        namespace: 'r',
        labels: { app: 'a' },
        annotations: { 'precise/createTimestamp': 't' },
      },
      spec: { node: 'comp0', subnet: 's', ...exec },
    });
    assert.equal(body.text('n', 't', 0, 's', exec), expected);
  });
});

describe('the create body template', () => {
  const cases: {
    what: string;
    name: string;
    namespace: string;
    labels: Record<string, string>;
    ts: string;
    nodes: string[];
    node: number;
    subnet: string;
  }[] = [
    {
      what: 'an ordinary attachment',
      name: '00abcd-17',
      namespace: 'kos-run-1',
      labels: { app: 'attachment-tput-driver', runid: 'kos-run-1' },
      ts: '2026-12-01T22:00:00.123456Z',
      nodes: ['node-a', 'node-b'],
      node: 1,
      subnet: 'sn-00abcd-0',
    },
    {
      what: 'strings that JSON must escape',
      name: 'a"b\\c',
      namespace: 'ns\u00e9',
      labels: { 'x/y': 'q"uote', empty: '' },
      ts: '2026-12-01T22:00:00.000000Z',
      nodes: ['n\n1'],
      node: 0,
      subnet: '',
    },
    {
      what: 'a node index beyond the list (the old code sent an empty node)',
      name: '000001-0',
      namespace: 'n',
      labels: {},
      ts: '2026-12-01T22:00:00.000001Z',
      nodes: [],
      node: 3,
      subnet: 's',
    },
  ];
  for (const c of cases) {
    it(`gives the same bytes as JSON.stringify of the object: ${c.what}`, () => {
      const body = createBody(c.namespace, c.labels, c.nodes);
      const expected = reference(c.name, c.namespace, c.labels, c.ts, c.nodes[c.node] ?? '', c.subnet);
      assert.equal(body.text(c.name, c.ts, c.node, c.subnet), expected);
    });
  }
});
