/**
 * The global sequence of operations (pure). Slots are shuffled, then dealt in that order:
 * warm-up creates one attachment per slot; cruise deletes the oldest slot's attachment and at
 * once creates its successor in the same slot (so each VN stays at its nominal size); cool-down
 * deletes what is left, oldest first. `numAttachments` creates in all, so 2 x numAttachments ops.
 * With `createOnly` (the shock test) every op is a create, slots reused round the order.
 */
import { shuffleInPlace, type Random } from '../../util/prng.js';

export const OP_CREATE = 0;
export const OP_DELETE = 1;
export const PHASE_WARMUP = 0;
export const PHASE_CRUISE = 1;
export const PHASE_COOLDOWN = 2;

export interface OpSequence {
  /** Per op: OP_CREATE or OP_DELETE. */
  kind: Uint8Array;
  /** Per op: the attachment (create counter) it creates or deletes. */
  attachment: Int32Array;
  /** Per op: PHASE_*. */
  phase: Uint8Array;
  /** Per attachment: its slot. */
  createSlot: Int32Array;
  /** Slots in dealing order; slotOrder[position] = slot. */
  slotOrder: Int32Array;
  /** First op of warm-up, cruise, cool-down, and the op count: phases are [start[p], start[p+1]). */
  phaseStart: [number, number, number, number];
}

export interface OpPlanInput {
  slots: number;
  numAttachments: number;
  createOnly: boolean;
  random: Random;
}

export function planOps(input: OpPlanInput): OpSequence {
  const { slots: S, numAttachments: N } = input;
  const slotOrder = shuffleInPlace(
    Int32Array.from({ length: S }, (_, i) => i),
    input.random,
  );
  const total = input.createOnly ? N : 2 * N;
  const kind = new Uint8Array(total);
  const attachment = new Int32Array(total);
  const phase = new Uint8Array(total);
  const createSlot = new Int32Array(N);
  const occupant = new Int32Array(S).fill(-1);
  let k = 0;
  const push = (op: number, a: number, p: number): void => {
    kind[k] = op;
    attachment[k] = a;
    phase[k] = p;
    k++;
  };
  const create = (a: number, pos: number, p: number): void => {
    const slot = slotOrder[pos % S] ?? 0;
    createSlot[a] = slot;
    occupant[slot] = a;
    push(OP_CREATE, a, p);
  };
  if (input.createOnly) {
    for (let a = 0; a < N; a++) create(a, a, PHASE_WARMUP);
    return { kind, attachment, phase, createSlot, slotOrder, phaseStart: [0, N, N, N] };
  }
  const fill = Math.min(N, S);
  for (let a = 0; a < fill; a++) create(a, a, PHASE_WARMUP);
  const cruiseStart = k;
  const pairs = N - fill;
  for (let p = 0; p < pairs; p++) {
    push(OP_DELETE, occupant[slotOrder[p % S] ?? 0] ?? 0, PHASE_CRUISE);
    create(fill + p, p, PHASE_CRUISE);
  }
  const cooldownStart = k;
  for (let q = 0; q < fill; q++)
    push(OP_DELETE, occupant[slotOrder[(pairs + q) % S] ?? 0] ?? 0, PHASE_COOLDOWN);
  return { kind, attachment, phase, createSlot, slotOrder, phaseStart: [0, cruiseStart, cooldownStart, k] };
}

/**
 * Planned phase boundaries in ms after the start: [warm-up start, cruise start, cool-down start,
 * end]. The end is one gap (`lastGapMs`, of the last op's phase) after the last op.
 */
export function phaseBoundaries(
  seq: Pick<OpSequence, 'phaseStart'>,
  due: Float64Array,
  lastGapMs: number,
): [number, number, number, number] {
  const total = due.length;
  const end = total === 0 ? 0 : (due[total - 1] ?? 0) + lastGapMs;
  const at = (op: number): number => (op < total ? (due[op] ?? 0) : end);
  return [at(seq.phaseStart[0]), at(seq.phaseStart[1]), at(seq.phaseStart[2]), end];
}
