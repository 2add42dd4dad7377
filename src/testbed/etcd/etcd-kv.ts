/**
 * The etcd KV calls the apiservers make (range, single-key guarded transaction, compaction) over
 * the lean unary gRPC client, which fails over between members. Watches have their own stream
 * (etcd-watch.ts).
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
import { resendOf, settledOutcome } from './txn-outcome.js';

export type { GuardedTxn, KeyValue, RangeRequest, RangeResult, TxnResult } from './kv-messages.js';

/** Re-sends of one transaction whose outcome stayed unknown, before its caller gets the error. */
const MAX_RESENDS = 5;

export class EtcdKv {
  private readonly grpc: GrpcUnaryClient;

  constructor(opts: GrpcUnaryOptions) {
    this.grpc = new GrpcUnaryClient(opts);
  }

  /** The member calls go to now. */
  get endpointUrl(): string {
    return this.grpc.endpointUrl;
  }

  /** Reads are idempotent: one that met a dead member or no leader is sent again. */
  async range(req: RangeRequest): Promise<RangeResult> {
    return decodeRange(await this.grpc.call('/etcdserverpb.KV/Range', encodeRange(req), true));
  }

  /**
   * A transaction etcd certainly did not apply is sent again by the client. One whose outcome was
   * lost (its connection died, or etcd timed out after proposing it) is sent again here: the
   * guard lets it apply at most once, and the re-send's read tells whether the first one was
   * applied (txn-outcome.ts).
   */
  async txn(txn: GuardedTxn): Promise<TxnResult> {
    try {
      return decodeTxn(await this.grpc.call('/etcdserverpb.KV/Txn', encodeGuardedTxn(txn), false));
    } catch (e: unknown) {
      if (!outcomeUnknown(e)) throw e;
      const resend = encodeGuardedTxn(resendOf(txn));
      for (let tries = 1; ; tries++) {
        try {
          return settledOutcome(txn, decodeTxn(await this.grpc.call('/etcdserverpb.KV/Txn', resend, false)));
        } catch (again: unknown) {
          if (!outcomeUnknown(again) || tries >= MAX_RESENDS) throw again;
        }
      }
    }
  }

  /** Not sent again when its outcome is unknown: a second compaction to one revision fails. */
  async compact(revision: number): Promise<void> {
    await this.grpc.call('/etcdserverpb.KV/Compact', encodeCompaction(revision), false);
  }

  close(): void {
    this.grpc.close();
  }
}

function outcomeUnknown(e: unknown): boolean {
  return e instanceof GrpcError && e.code === UNAVAILABLE && !e.notApplied;
}
