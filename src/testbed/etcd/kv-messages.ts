/**
 * etcd v3 KV messages (etcdserverpb / mvccpb in etcd's rpc.proto and kv.proto), encoded and
 * decoded by hand for just the fields the apiservers use: ranges, single-key guarded
 * transactions and compaction. Field numbers are those of etcd 3.4's protos.
 */
import { ProtoWriter, readFields } from './protobuf.js';

export interface KeyValue {
  key: Buffer;
  value: Buffer;
  createRevision: number;
  modRevision: number;
  version: number;
}

export interface RangeRequest {
  key: Buffer;
  rangeEnd?: Buffer;
  limit?: number;
  /** 0 = the current revision. */
  revision?: number;
}

export interface RangeResult {
  /** The revision the range was read at (the response header's). */
  revision: number;
  kvs: KeyValue[];
  more: boolean;
  count: number;
}

/** A transaction on one key: if its CREATE or MOD revision equals `revision`, put or delete it. */
export interface GuardedTxn {
  key: Buffer;
  target: 'create' | 'mod';
  revision: number;
  then: { put: Buffer } | { delete: true };
  /** On failure, read the key (its current value comes back in `current`). */
  elseGet: boolean;
}

export interface TxnResult {
  succeeded: boolean;
  revision: number;
  /** The key as read by the failure branch, when asked for and present. */
  current: KeyValue | undefined;
}

const COMPARE_EQUAL = 0;
const TARGET_CREATE = 1;
const TARGET_MOD = 2;

export function encodeRange(req: RangeRequest): Buffer {
  return new ProtoWriter()
    .bytesField(1, req.key, true)
    .bytesField(2, req.rangeEnd ?? Buffer.alloc(0))
    .uint(3, req.limit ?? 0)
    .uint(4, req.revision ?? 0)
    .finish();
}

export function encodeGuardedTxn(txn: GuardedTxn): Buffer {
  // Compare: result=1, target=2, key=3, create_revision=5 | mod_revision=6.
  const compare = new ProtoWriter()
    .uint(1, COMPARE_EQUAL)
    .uint(2, txn.target === 'create' ? TARGET_CREATE : TARGET_MOD)
    .bytesField(3, txn.key, true)
    .uint(txn.target === 'create' ? 5 : 6, txn.revision, true) // in a oneof: 0 is written too
    .finish();
  // RequestOp: request_range=1, request_put=2, request_delete_range=3.
  const success =
    'put' in txn.then
      ? new ProtoWriter()
          .bytesField(
            2,
            new ProtoWriter().bytesField(1, txn.key, true).bytesField(2, txn.then.put).finish(),
            true,
          )
          .finish()
      : new ProtoWriter()
          .bytesField(3, new ProtoWriter().bytesField(1, txn.key, true).finish(), true)
          .finish();
  // TxnRequest: compare=1, success=2, failure=3.
  const w = new ProtoWriter().bytesField(1, compare, true).bytesField(2, success, true);
  if (txn.elseGet) {
    w.bytesField(3, new ProtoWriter().bytesField(1, encodeRange({ key: txn.key }), true).finish(), true);
  }
  return w.finish();
}

export function encodeCompaction(revision: number): Buffer {
  return new ProtoWriter().uint(1, revision).finish();
}

/** ResponseHeader.revision (field 3). */
function headerRevision(buf: Buffer): number {
  for (const f of readFields(buf)) if (f.field === 3 && f.kind === 'varint') return f.value;
  return 0;
}

export function decodeKeyValue(buf: Buffer): KeyValue {
  const kv: KeyValue = { key: EMPTY, value: EMPTY, createRevision: 0, modRevision: 0, version: 0 };
  for (const f of readFields(buf)) {
    if (f.kind === 'bytes') {
      if (f.field === 1) kv.key = f.value;
      else if (f.field === 5) kv.value = f.value;
    } else if (f.field === 2) kv.createRevision = f.value;
    else if (f.field === 3) kv.modRevision = f.value;
    else if (f.field === 4) kv.version = f.value;
  }
  return kv;
}

const EMPTY = Buffer.alloc(0);

export function decodeRange(buf: Buffer): RangeResult {
  const out: RangeResult = { revision: 0, kvs: [], more: false, count: 0 };
  for (const f of readFields(buf)) {
    if (f.kind === 'bytes') {
      if (f.field === 1) out.revision = headerRevision(f.value);
      else if (f.field === 2) out.kvs.push(decodeKeyValue(f.value));
    } else if (f.field === 3) out.more = f.value !== 0;
    else if (f.field === 4) out.count = f.value;
  }
  return out;
}

export function decodeTxn(buf: Buffer): TxnResult {
  const out: TxnResult = { succeeded: false, revision: 0, current: undefined };
  for (const f of readFields(buf)) {
    if (f.kind === 'varint') {
      if (f.field === 2) out.succeeded = f.value !== 0;
    } else if (f.field === 1) out.revision = headerRevision(f.value);
    else if (f.field === 3) {
      // ResponseOp.response_range (1): the failure branch's read.
      for (const op of readFields(f.value)) {
        if (op.field === 1 && op.kind === 'bytes') out.current ??= decodeRange(op.value).kvs[0];
      }
    }
  }
  return out;
}
