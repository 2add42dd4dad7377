import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createNodes,
  kosTest,
  startFront,
  storedNodes,
  versions,
  type FrontForTest,
} from '../../support/cluster-cli.js';
import { nodeFixture, r12s24Nodes } from '../../support/r12s24-nodes.js';

describe('kos-test cluster label on a 500-node cluster', () => {
  let front: FrontForTest;
  let env: NodeJS.ProcessEnv;
  // The 12 r12s24 nodes that are not comp nodes, an obs node, an lbpip node and 486 comp nodes.
  const special = r12s24Nodes().filter((n) => !n.metadata.name.startsWith('comp'));
  const comps = Array.from({ length: 486 }, (_, i) =>
    nodeFixture(`comp${i}`, `127.10.${Math.floor(i / 254)}.${(i % 254) + 1}`),
  );
  const fixtures = [
    ...special,
    nodeFixture('obs0', '127.22.0.1'),
    nodeFixture('lbpip0', '127.23.0.1'),
    ...comps,
  ];

  before(async () => {
    assert.equal(fixtures.length, 500);
    front = await startFront();
    env = { ...process.env, KUBECONFIG: front.kubeconfig };
    await createNodes(front.url, fixtures);
  });
  after(async () => {
    await front.stop();
  });

  it('writes an inventory of all 500 hosts and names the unclassified one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kos-test-inventory-'));
    try {
      const r = await kosTest(['cluster', 'inventory', 'big', '--dir', dir], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        r.stdout,
        `wrote ${join(dir, 'big_L1')}: group [big_L1], 500 hosts; unclassified, so without kos_role variables: lbpip0\n`,
      );
      const lines = (await readFile(join(dir, 'big_L1'), 'utf8')).trimEnd().split('\n');
      assert.equal(lines.filter((l) => /^127\./.test(l)).length, 500);
      assert.ok(lines.includes('127.23.0.1 nodename=lbpip0'));
      assert.ok(lines.includes('127.22.0.1 nodename=obs0 kos_role_obs=yes'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('annotates exactly the sampled nodes for scraping, and changes nothing when run again', async () => {
    const r = await kosTest(['cluster', 'label'], env);
    assert.equal(r.code, 0, r.stderr);
    // Everything but obs0 gets something (a label, an annotation or both); obs0 gets its label.
    assert.equal(r.stdout, 'changed 500 of 500 nodes; 1 unclassified (no purpose label): lbpip0\n');
    const nodes = await storedNodes(front.url);
    const annotated = (key: string) =>
      nodes
        .filter((n) => n.metadata.annotations?.[key] === 'true')
        .map((n) => n.metadata.name)
        .sort();
    // From 400 nodes on: every etcd/api/ctrl/data/base/lbpip node, and comp nodes whose number ends in 10, 40 or 70.
    const sampledComps = comps
      .map((n) => n.metadata.name)
      .filter((name) => [10, 40, 70].includes(Number(name.slice(4)) % 100));
    assert.equal(sampledComps.length, 15);
    const want = [...special.map((n) => n.metadata.name), 'lbpip0', ...sampledComps].sort();
    assert.deepEqual(annotated('prometheus.io/scrape'), want);
    assert.deepEqual(annotated('prometheus.io/scrape-etcd'), ['ketcd0', 'ketcd1', 'ketcd2']);
    assert.equal(nodes.filter((n) => n.metadata.labels?.['kos-role/comp'] === 'true').length, 486);

    const again = await kosTest(['cluster', 'label'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(
      again.stdout,
      'nothing to change: all 500 nodes already labelled and annotated; 1 unclassified (no purpose label): lbpip0\n',
    );
    assert.deepEqual(versions(await storedNodes(front.url)), versions(nodes));
  });
});
