import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProtoWriter, readFields } from '../../../../src/testbed/etcd/protobuf.js';
import { decodeKeyValue, decodeTxn, encodeGuardedTxn } from '../../../../src/testbed/etcd/kv-messages.js';

describe('protobuf wire format for the etcd KV client', () => {
  for (const value of [1, 127, 128, 300, 2 ** 31, 2 ** 32 + 5, 2 ** 45 + 1, Number.MAX_SAFE_INTEGER]) {
    it(`round-trips the varint ${value}`, () => {
      const [field] = [...readFields(new ProtoWriter().uint(4, value).finish())];
      assert.deepEqual(field, { field: 4, kind: 'varint', value });
    });
  }

  it('encodes 300 as the two bytes the protobuf spec gives (0xac 0x02)', () => {
    assert.deepEqual([...new ProtoWriter().uint(1, 300).finish()], [0x08, 0xac, 0x02]);
  });

  it('leaves zero scalars and empty bytes out, unless asked to write them', () => {
    assert.equal(new ProtoWriter().uint(1, 0).bytesField(2, Buffer.alloc(0)).finish().length, 0);
    assert.deepEqual([...new ProtoWriter().uint(5, 0, true).finish()], [0x28, 0x00]);
    assert.deepEqual([...new ProtoWriter().bytesField(3, Buffer.alloc(0), true).finish()], [0x1a, 0x00]);
  });

  it('refuses negative and unsafe integers instead of writing wrong bytes', () => {
    assert.throws(() => new ProtoWriter().uint(1, -1), /bad varint/);
    assert.throws(() => new ProtoWriter().uint(1, 2 ** 60), /bad varint/);
  });

  it('skips fixed-width fields and reads the fields around them', () => {
    // field 1 fixed64, field 2 varint 7, field 3 fixed32, field 4 bytes "hi"
    const buf = Buffer.from([0x09, 1, 2, 3, 4, 5, 6, 7, 8, 0x10, 7, 0x1d, 1, 2, 3, 4, 0x22, 2, 0x68, 0x69]);
    const fields = [...readFields(buf)];
    assert.deepEqual(
      fields.map((f) => [f.field, f.kind === 'bytes' ? f.value.toString() : f.value]),
      [
        [2, 7],
        [4, 'hi'],
      ],
    );
  });

  it('throws on a truncated message rather than returning part of it', () => {
    assert.throws(() => [...readFields(Buffer.from([0x22, 5, 0x68]))], /truncated field/);
    assert.throws(() => [...readFields(Buffer.from([0x08, 0xff]))], /truncated varint/);
  });

  it('reads a KeyValue with every field the store uses', () => {
    const kv = new ProtoWriter()
      .bytesField(1, Buffer.from('/k'))
      .uint(2, 10)
      .uint(3, 2 ** 33)
      .uint(4, 3)
      .bytesField(5, Buffer.from('{"a":1}'))
      .uint(6, 99)
      .finish();
    const got = decodeKeyValue(kv);
    assert.equal(got.key.toString(), '/k');
    assert.equal(got.value.toString(), '{"a":1}');
    assert.deepEqual([got.createRevision, got.modRevision, got.version], [10, 2 ** 33, 3]);
  });

  it('encodes a create guard with create_revision 0 written out (it sits in a oneof)', () => {
    const txn = encodeGuardedTxn({
      key: Buffer.from('/k'),
      target: 'create',
      revision: 0,
      then: { put: Buffer.from('v') },
      elseGet: false,
    });
    const fields = [...readFields(txn)];
    const compare = fields.at(0);
    const success = fields.at(1);
    const rest = fields.slice(2);
    assert.equal(rest.length, 0, 'no failure branch was asked for');
    assert.equal(compare?.field, 1);
    assert.equal(success?.field, 2);
    assert.ok(compare.kind === 'bytes');
    const cmp = [...readFields(compare.value)];
    assert.deepEqual(
      cmp.map((f) => [f.field, f.kind === 'bytes' ? f.value.toString() : f.value]),
      [
        [2, 1], // target CREATE (result EQUAL is the default 0)
        [3, '/k'],
        [5, 0],
      ],
    );
  });

  it('reads a failed transaction with the current value from its failure branch', () => {
    const header = new ProtoWriter()
      .uint(1, 2 ** 52)
      .uint(3, 42)
      .finish();
    const kv = new ProtoWriter()
      .bytesField(1, Buffer.from('/k'))
      .uint(3, 40)
      .bytesField(5, Buffer.from('x'))
      .finish();
    const range = new ProtoWriter().bytesField(1, header).bytesField(2, kv).uint(4, 1).finish();
    const op = new ProtoWriter().bytesField(1, range, true).finish();
    const res = decodeTxn(new ProtoWriter().bytesField(1, header).bytesField(3, op, true).finish());
    assert.equal(res.succeeded, false);
    assert.equal(res.revision, 42);
    assert.ok(res.current !== undefined);
    assert.equal(res.current.modRevision, 40);
    assert.equal(res.current.value.toString(), 'x');
  });
});
