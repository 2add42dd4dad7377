/**
 * When each operation is due, in milliseconds after the run's start (pure). Steady: exactly
 * 1000/rate apart. Poisson: exponential gaps of mean 1000/rate, each capped at 1000 mean gaps
 * (as the original driver does, so one unlucky draw cannot stall a run). Op 0 is due at 0.
 * A phased schedule gives warm-up, cruise and cool-down each its own rate.
 */
import type { Random } from '../../util/prng.js';

export type OpsDistribution = 'steady' | 'poisson';

export const POISSON_CAP_GAPS = 1000;

export function opDueTimes(
  count: number,
  rate: number,
  distribution: OpsDistribution,
  random: Random,
): Float64Array {
  const due = new Float64Array(count);
  const mean = 1000 / rate;
  if (distribution === 'steady') {
    for (let k = 0; k < count; k++) due[k] = k * mean;
    return due;
  }
  let t = 0;
  for (let k = 1; k < count; k++) {
    // 1 - random() is in (0, 1], so the log is finite.
    t += Math.min(-Math.log(1 - random()) * mean, POISSON_CAP_GAPS * mean);
    due[k] = t;
  }
  return due;
}

/** Warm-up, cruise and cool-down rates (ops/s, the whole run's). */
export type PhaseRates = readonly [number, number, number];

/**
 * Due times when each phase has its own rate. The gap after an op is drawn at its own phase's
 * rate, so a phase of n ops lasts n gaps of that phase (steady: exactly n / rate seconds) and
 * the first op of the next phase comes one gap of the previous phase after its last op. Equal
 * rates give exactly opDueTimes (same floating-point values, same random draws).
 * `phaseStart` is OpSequence.phaseStart: phases are ops [start[p], start[p+1]).
 */
export function phasedDueTimes(
  phaseStart: readonly [number, number, number, number],
  rates: PhaseRates,
  distribution: OpsDistribution,
  random: Random,
): Float64Array {
  const count = phaseStart[3];
  if (rates[0] === rates[1] && rates[1] === rates[2])
    return opDueTimes(count, rates[1], distribution, random);
  const due = new Float64Array(count);
  const means = rates.map((r) => 1000 / r);
  let phaseT = 0;
  let t = 0;
  for (let p = 0; p < 3; p++) {
    const mean = means[p] ?? 0;
    const first = phaseStart[p] ?? 0;
    const end = phaseStart[p + 1] ?? 0;
    for (let k = first; k < end; k++) {
      if (distribution === 'steady') {
        // From the phase's own start, so no rounding error accumulates over the phase.
        due[k] = phaseT + (k - first) * mean;
        continue;
      }
      due[k] = t;
      t += Math.min(-Math.log(1 - random()) * mean, POISSON_CAP_GAPS * mean);
    }
    phaseT += (end - first) * mean;
  }
  return due;
}

/** The gap after the last op (what the schedule's end adds): the last non-empty phase's. */
export function lastGapMs(phaseStart: readonly [number, number, number, number], rates: PhaseRates): number {
  for (let p = 2; p >= 0; p--)
    if ((phaseStart[p + 1] ?? 0) > (phaseStart[p] ?? 0)) return 1000 / (rates[p] ?? 1);
  return 1000 / rates[1];
}
