/**
 * When a scenario's faults happen, in ms after the cruise starts (pure): `at` once (if inside the
 * cruise), or Poisson arrivals from its seed, each after the previous one has ended (a stop's
 * `for`), so one fault is in progress at a time.
 */
import { seededRandom } from '../../util/prng.js';
import type { FaultScenario } from '../spec/fault-scenario.js';

/** Enough for any cruise a testbed runs; a tiny mean must not plan millions. */
export const MAX_FAULTS_PER_RUN = 100;

export function faultTimes(s: FaultScenario, cruiseMs: number): number[] {
  if (s.atMs !== undefined) return s.atMs < cruiseMs ? [s.atMs] : [];
  if (s.poisson === undefined) return [];
  const random = seededRandom(s.poisson.seed);
  const out: number[] = [];
  let t = 0;
  while (out.length < MAX_FAULTS_PER_RUN) {
    t += -s.poisson.meanMs * Math.log(1 - random());
    if (t >= cruiseMs) break;
    out.push(t);
    t += s.durationMs ?? 0;
  }
  return out;
}
