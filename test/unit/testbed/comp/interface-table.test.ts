import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NetworkAttachmentStatus } from '../../../../src/api/kos-types.js';
import type { Attachment } from '../../../../src/testbed/comp/attachment.js';
import { HollowFabric, type FabricOp } from '../../../../src/testbed/comp/fabric.js';
import {
  desiredIfc,
  InterfaceTable,
  sameIfc,
  type AgentIfc,
} from '../../../../src/testbed/comp/interface-table.js';

function att(node: string, status: NetworkAttachmentStatus): Attachment {
  return {
    apiVersion: 'network.example.com/v1alpha1',
    kind: 'NetworkAttachment',
    metadata: { name: 'a', namespace: 'ns' },
    spec: { node, subnet: 's1' },
    status: { ...status },
  };
}

const addr = { ipv4: '10.0.0.1', addressVNI: 1 };
const local: AgentIfc = {
  kind: 'local',
  name: 'kos060000010001',
  vni: 1,
  guestIP: '10.0.0.1',
  guestMAC: '06:00:00:01:00:01',
};
const remote: AgentIfc = {
  kind: 'remote',
  vni: 1,
  guestIP: '10.0.0.1',
  guestMAC: '06:00:00:01:00:01',
  hostIP: '127.10.0.9',
};

describe('desiredIfc', () => {
  const cases: { why: string; a: Attachment; want: AgentIfc | undefined }[] = [
    { why: 'local, addressed', a: att('comp1', addr), want: local },
    { why: 'local, no address yet', a: att('comp1', {}), want: undefined },
    { why: 'local, address without VNI', a: att('comp1', { ipv4: '10.0.0.1' }), want: undefined },
    { why: 'local, malformed address', a: att('comp1', { ipv4: '10.0.0', addressVNI: 1 }), want: undefined },
    { why: 'remote with a host', a: att('comp2', { ...addr, hostIP: '127.10.0.9' }), want: remote },
    { why: 'remote without a host yet', a: att('comp2', addr), want: undefined },
  ];
  for (const c of cases) {
    it(`on comp1: ${c.why}`, () => {
      assert.deepEqual(desiredIfc(c.a, 'comp1'), c.want);
    });
  }
});

describe('sameIfc', () => {
  const cases: { why: string; a: AgentIfc; b: AgentIfc; want: boolean }[] = [
    { why: 'identical local', a: local, b: { ...local }, want: true },
    { why: 'local, other address', a: local, b: { ...local, guestIP: '10.0.0.2' }, want: false },
    { why: 'local, other VNI', a: local, b: { ...local, vni: 2 }, want: false },
    { why: 'identical remote', a: remote, b: { ...remote }, want: true },
    { why: 'remote, moved host', a: remote, b: { ...remote, hostIP: '127.10.0.8' }, want: false },
    { why: 'local vs remote', a: local, b: remote, want: false },
  ];
  for (const c of cases) {
    it(`${c.why} → ${c.want}`, () => {
      assert.equal(sameIfc(c.a, c.b), c.want);
    });
  }
});

describe('InterfaceTable', () => {
  it('creates, keeps, replaces and deletes through the fabric, counting by kind', async () => {
    const ops: FabricOp[] = [];
    const fabric = new HollowFabric({ sleep: () => Promise.resolve(), onCall: (op) => ops.push(op) });
    const table = new InterfaceTable({ fabric, nowMicros: () => 0 });
    const write = { label: 'na' as const, micros: undefined };
    const a = att('comp1', addr);
    assert.deepEqual(await table.sync('ns/a', local, a, write), local);
    assert.deepEqual(await table.sync('ns/a', { ...local }, a, write), local, 'kept');
    const moved = { ...local, guestIP: '10.0.0.2' };
    assert.deepEqual(await table.sync('ns/a', moved, a, write), moved, 'replaced');
    assert.deepEqual(await table.sync('ns/r', remote, a, write), remote);
    assert.equal(table.localCount, 1);
    assert.equal(table.remoteCount, 1);
    assert.equal(await table.sync('ns/a', undefined, undefined, undefined), undefined);
    assert.equal(await table.sync('ns/r', undefined, undefined, undefined), undefined);
    assert.equal(await table.sync('ns/never', undefined, undefined, undefined), undefined);
    assert.deepEqual(ops, [
      'CreateLocalIfc',
      'DeleteLocalIfc',
      'CreateLocalIfc',
      'CreateRemoteIfc',
      'DeleteLocalIfc',
      'DeleteRemoteIfc',
    ]);
    assert.equal(table.localCount, 0);
    assert.equal(table.remoteCount, 0);
    assert.deepEqual([...table.entries()], []);
  });
});
