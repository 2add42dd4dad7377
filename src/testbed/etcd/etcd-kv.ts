/**
 * The etcd KV calls the apiservers make (range, single-key guarded transaction, compaction) over
 * the lean unary gRPC client. Watches still go through the etcd3 client (one stream per
 * resource, so its per-call machinery does not matter there).
 */
import { GrpcError, GrpcUnaryClient, UNAVAILABLE, type GrpcUnaryOptions } from './grpc-unary.js';
import {
  decodeRange,
  decodeTxn,
  encodeCompaction,
  encodeGuardedTxn,
  encodeRange,
  type GuardedTxn,
  type RangeRequest,
  type RangeResult,
  type TxnResult,
} from './kv-messages.js';

export type { GuardedTxn, KeyValue, RangeRequest, RangeResult, TxnResult } from './kv-messages.js';

export class EtcdKv {
  private readonly grpc: GrpcUnaryClient;

  constructor(opts: GrpcUnaryOptions) {
    this.grpc = new GrpcUnaryClient(opts);
  }

  /** Reads are idempotent: one that met a dead connection is tried once more (on the next member). */
  async range(req: RangeRequest): Promise<RangeResult> {
    const message = encodeRange(req);
    try {
      return decodeRange(await this.grpc.call('/etcdserverpb.KV/Range', message));
    } catch (e: unknown) {
      if (!(e instanceof GrpcError) || e.code !== UNAVAILABLE) throw e;
      return decodeRange(await this.grpc.call('/etcdserverpb.KV/Range', message));
    }
  }

  /** Not retried: a transaction that may have been applied must not be applied twice. */
  async txn(txn: GuardedTxn): Promise<TxnResult> {
    return decodeTxn(await this.grpc.call('/etcdserverpb.KV/Txn', encodeGuardedTxn(txn)));
  }

  async compact(revision: number): Promise<void> {
    await this.grpc.call('/etcdserverpb.KV/Compact', encodeCompaction(revision));
  }

  close(): void {
    this.grpc.close();
  }
}
