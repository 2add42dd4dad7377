/**
 * Achieved rate: a create-only drive's creates, timed by the apiserver's own write stamps (not
 * the driver's clock), must come at the rate its plan drew, within 1%, for a steady and a
 * Poisson schedule. A driver whose clock or pacer ran fast or slow fails here.
 */
import { withinTolerance, type CheckResult } from '../check-result.js';
import type { SelftestCheck } from '../selftest-check.js';

export const RATE_TOLERANCE = 0.01;
export type Schedule = 'steady' | 'poisson';

/** What one create-only drive gives the check. */
export interface RateMeasurement {
  /** The plan's creates per second: (n - 1) over its first-to-last due time. */
  plannedRate: number;
  /** Creates' server write stamps, epoch microseconds, any order. */
  serverStampsMicros: readonly number[];
}

/** Creates per second between the first and last stamp; NaN with fewer than two (pure). */
export function rateOfStamps(stampsMicros: readonly number[]): number {
  if (stampsMicros.length < 2) return Number.NaN;
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of stampsMicros) {
    lo = Math.min(lo, s);
    hi = Math.max(hi, s);
  }
  return hi > lo ? ((stampsMicros.length - 1) * 1e6) / (hi - lo) : Number.NaN;
}

export function judgeAchievedRate(
  schedule: Schedule,
  m: RateMeasurement,
  tolerance = RATE_TOLERANCE,
): CheckResult {
  const r = withinTolerance({
    check: `achieved rate, ${schedule} (server stamps)`,
    expected: m.plannedRate,
    measured: rateOfStamps(m.serverStampsMicros),
    tolerance: tolerance * m.plannedRate,
    unit: 'ops/s',
    digits: 3,
  });
  return { ...r, note: `${m.serverStampsMicros.length} creates; tolerance ${(tolerance * 100).toFixed(1)}%` };
}

export function achievedRateCheck(deps: {
  /** Drives a create-only run with that schedule and reads its creates' server stamps. */
  drive: (schedule: Schedule) => Promise<RateMeasurement>;
  schedules?: readonly Schedule[];
}): SelftestCheck {
  return {
    name: 'achieved rate',
    run: async () => {
      const out: CheckResult[] = [];
      for (const s of deps.schedules ?? ['steady', 'poisson'])
        out.push(judgeAchievedRate(s, await deps.drive(s)));
      return out;
    },
  };
}
