/**
 * Shard slicing (pure): shard i of N owns the slots at dealing positions i, i+N, i+2N, ... and
 * every op on them, at the global plan's due times. The shards together are the unsharded run
 * op for op, each at about 1/N of the rate, all from one shared start time.
 */
import type { OpSequence } from './op-plan.js';

export interface ShardSpec {
  index: number;
  count: number;
}

export interface ShardOps {
  /** Global op numbers of this shard's ops, in time order. */
  ops: Int32Array;
  /** Attachments (create counters) this shard creates, ascending. */
  attachments: Int32Array;
}

/** Which shard owns each slot. */
export function slotOwners(seq: Pick<OpSequence, 'slotOrder'>, count: number): Int32Array {
  const owner = new Int32Array(seq.slotOrder.length);
  seq.slotOrder.forEach((slot, pos) => {
    owner[slot] = pos % count;
  });
  return owner;
}

export function sliceShard(seq: OpSequence, shard: ShardSpec): ShardOps {
  if (shard.count === 1) {
    return {
      ops: Int32Array.from({ length: seq.kind.length }, (_, k) => k),
      attachments: Int32Array.from({ length: seq.createSlot.length }, (_, a) => a),
    };
  }
  const owner = slotOwners(seq, shard.count);
  const mine = (a: number): boolean => owner[seq.createSlot[a] ?? 0] === shard.index;
  const ops: number[] = [];
  for (let k = 0; k < seq.kind.length; k++) if (mine(seq.attachment[k] ?? 0)) ops.push(k);
  const attachments: number[] = [];
  for (let a = 0; a < seq.createSlot.length; a++) if (mine(a)) attachments.push(a);
  return { ops: Int32Array.from(ops), attachments: Int32Array.from(attachments) };
}

/** Parses `i/N` (0 <= i < N). */
export function parseShard(text: string): ShardSpec | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (m === null) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return count >= 1 && index < count ? { index, count } : undefined;
}
