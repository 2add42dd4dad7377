/**
 * Delay shift (issue 23): the same drive at two fabric delays; the driver's fulfilment from
 * planned must move by the fabric time the agents recorded, within 0.3 ms (mean). A bias here
 * would sit in every latency the testbed reports.
 */
import { withinTolerance, type CheckResult } from '../check-result.js';
import { delayShift, type DelayRunFigures, type DelayShift } from '../delay-shift-math.js';
import type { SelftestCheck } from '../selftest-check.js';

export const DELAY_SHIFT_TOLERANCE_MS = 0.3;

/** The lines of the check from the shift (pure). */
export function judgeDelayShift(shift: DelayShift, toleranceMs = DELAY_SHIFT_TOLERANCE_MS): CheckResult[] {
  const mean = withinTolerance({
    check: 'delay shift: fulfilment mean moves by the fabric time',
    expected: shift.appliedMs,
    measured: shift.measuredMeanMs,
    tolerance: toleranceMs,
    unit: 'ms',
  });
  return [
    {
      ...mean,
      note: `drawn delays differ by ${shift.nominalMs.toFixed(2)} ms; p50 moved ${shift.measuredP50Ms.toFixed(2)} ms`,
    },
  ];
}

export function delayShiftCheck(deps: {
  /** Drives the A B B A runs and returns each one's figures. */
  drive: () => Promise<readonly DelayRunFigures[]>;
  toleranceMs?: number;
}): SelftestCheck {
  return {
    name: 'delay shift',
    run: async () => judgeDelayShift(delayShift(await deps.drive()), deps.toleranceMs),
  };
}
