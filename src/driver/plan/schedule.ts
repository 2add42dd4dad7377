/**
 * When each operation is due, in milliseconds after the run's start (pure). Steady: exactly
 * 1000/rate apart. Poisson: exponential gaps of mean 1000/rate, each capped at 1000 mean gaps
 * (as the original driver does, so one unlucky draw cannot stall a run). Op 0 is due at 0.
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
