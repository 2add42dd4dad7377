import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KosObject } from '../../../src/api/meta.js';
import type { ResourceType } from '../../../src/api/resource-type.js';
import { ipLocks, networkAttachments, subnets } from '../../../src/api/resource-types.js';

function object(
  metadata: KosObject['metadata'],
  spec?: Record<string, unknown>,
  status?: Record<string, unknown>,
): KosObject {
  return { apiVersion: 'network.example.com/v1alpha1', kind: 'K', metadata, spec, status };
}

const cases: { name: string; type: ResourceType; obj: KosObject; fields: Record<string, string> }[] = [
  {
    name: 'an attachment with its status',
    type: networkAttachments,
    obj: object(
      { name: 'a', namespace: 'ns' },
      { node: 'comp1', subnet: 's' },
      { ipv4: '10.0.0.1', hostIP: '127.3.0.1', addressVNI: 17 },
    ),
    fields: {
      'metadata.name': 'a',
      'metadata.namespace': 'ns',
      'spec.node': 'comp1',
      'spec.subnet': 's',
      'status.ipv4': '10.0.0.1',
      'status.hostIP': '127.3.0.1',
      'status.addressVNI': '17',
    },
  },
  {
    name: 'an attachment not yet fulfilled',
    type: networkAttachments,
    obj: object({ name: 'a', namespace: 'ns' }, { node: 'comp1', subnet: 's' }),
    fields: {
      'metadata.name': 'a',
      'metadata.namespace': 'ns',
      'spec.node': 'comp1',
      'spec.subnet': 's',
      'status.ipv4': '',
      'status.hostIP': '',
      'status.addressVNI': '0',
    },
  },
  {
    name: 'a subnet',
    type: subnets,
    obj: object({ name: 's', namespace: 'ns' }, { vni: 5, ipv4: '10.0.0.0/24' }),
    fields: { 'metadata.name': 's', 'metadata.namespace': 'ns', 'spec.vni': '5' },
  },
  {
    name: 'a kind with only the metadata fields',
    type: ipLocks,
    obj: object({ name: 'l' }),
    fields: { 'metadata.name': 'l', 'metadata.namespace': '' },
  },
];

describe('fieldValues', () => {
  for (const c of cases) {
    it(`gives the selectable fields of ${c.name}`, () => {
      assert.deepEqual(c.type.fieldValues(c.obj), c.fields);
    });
  }

  it('gives a new map each time, so callers never share one', () => {
    const obj = cases[0]?.obj as KosObject;
    assert.notEqual(networkAttachments.fieldValues(obj), networkAttachments.fieldValues(obj));
  });
});
