/**
 * etcd v3 Watch messages (etcdserverpb.WatchRequest / WatchResponse, mvccpb.Event), by hand
 * for the fields the watch caches use. Field numbers are those of etcd 3.4's rpc.proto.
 */
import { decodeKeyValue, type KeyValue } from './kv-messages.js';
import { ProtoWriter, readFields } from './protobuf.js';

export interface WatchCreate {
  key: Buffer;
  rangeEnd: Buffer;
  startRevision: number;
  progressNotify: boolean;
  prevKv: boolean;
}

export interface WatchEvent {
  type: 'put' | 'delete';
  kv: KeyValue;
  prevKv: KeyValue | undefined;
}

export interface WatchResponse {
  /** The header's revision: every change up to it has been sent on this watch. */
  revision: number;
  created: boolean;
  canceled: boolean;
  compactRevision: number;
  cancelReason: string;
  events: WatchEvent[];
}

export function encodeWatchCreate(req: WatchCreate): Buffer {
  // WatchCreateRequest: key=1, range_end=2, start_revision=3, progress_notify=4, prev_kv=6.
  const create = new ProtoWriter()
    .bytesField(1, req.key, true)
    .bytesField(2, req.rangeEnd)
    .uint(3, req.startRevision)
    .bool(4, req.progressNotify)
    .bool(6, req.prevKv)
    .finish();
  // WatchRequest.create_request = 1.
  return new ProtoWriter().bytesField(1, create, true).finish();
}

function decodeEvent(buf: Buffer): WatchEvent | undefined {
  let type: 'put' | 'delete' = 'put';
  let kv: KeyValue | undefined;
  let prevKv: KeyValue | undefined;
  for (const f of readFields(buf)) {
    if (f.kind === 'varint') {
      if (f.field === 1) type = f.value === 1 ? 'delete' : 'put';
    } else if (f.field === 2) kv = decodeKeyValue(f.value);
    else if (f.field === 3) prevKv = decodeKeyValue(f.value);
  }
  return kv === undefined ? undefined : { type, kv, prevKv };
}

export function decodeWatchResponse(buf: Buffer): WatchResponse {
  const out: WatchResponse = {
    revision: 0,
    created: false,
    canceled: false,
    compactRevision: 0,
    cancelReason: '',
    events: [],
  };
  for (const f of readFields(buf)) {
    if (f.kind === 'varint') {
      if (f.field === 3) out.created = f.value !== 0;
      else if (f.field === 4) out.canceled = f.value !== 0;
      else if (f.field === 5) out.compactRevision = f.value;
    } else if (f.field === 1) {
      for (const h of readFields(f.value)) if (h.field === 3 && h.kind === 'varint') out.revision = h.value;
    } else if (f.field === 6) out.cancelReason = f.value.toString('utf8');
    else if (f.field === 11) {
      const event = decodeEvent(f.value);
      if (event !== undefined) out.events.push(event);
    }
  }
  return out;
}
