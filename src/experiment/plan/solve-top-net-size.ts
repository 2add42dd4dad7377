/**
 * The driver is shaped by topNetSize, the experiment by POP: find the topNetSize whose VN sizes
 * (population.ts) add up to POP, or as close as the ceilings allow (exact when possible).
 */
import { populationOf, vnSizes, type PopulationShape } from '../../driver/population.js';

export interface SolvedShape {
  topNetSize: number;
  /** The population that topNetSize gives (equals the asked POP when reachable). */
  slots: number;
}

export function solveTopNetSize(shape: Omit<PopulationShape, 'topNetSize'>, pop: number): SolvedShape {
  const slotsOf = (t: number): number => populationOf(vnSizes({ ...shape, topNetSize: t }));
  // populationOf is nondecreasing in topNetSize: grow an upper bound, then binary search.
  let lo = 1;
  let hi = Math.max(1, pop);
  while (slotsOf(hi) < pop) hi *= 2;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (slotsOf(mid) >= pop) hi = mid;
    else lo = mid + 1;
  }
  const above = { topNetSize: lo, slots: slotsOf(lo) };
  if (above.slots === pop || lo === 1) return above;
  const below = { topNetSize: lo - 1, slots: slotsOf(lo - 1) };
  return pop - below.slots < above.slots - pop ? below : above;
}
