/**
 * Delay shift (issue 23): both fabric delays side by side; the driver's fulfilment must move by
 * what the agents recorded of their work on it (the wait behind other fabric calls, the fabric
 * call, the status PUT), within 0.3 ms (mean): a bias of the chain, or latency the
 * stand-in adds without recording it, would sit in every latency the testbed reports. Judged on the
 * fulfilment less the driver's sighting of the address (the control plane before the agents,
 * which no level changes but a loaded machine varies by tens of ms); the plain fulfilment's shift
 * is in the note. On a loaded machine the runs disagree by more than 0.3 ms: the tolerance widens
 * to the gap's 95% confidence half-width (from the spread of the runs' own gaps), up to 1 ms;
 * beyond that the check fails as too noisy to judge.
 */
import { withinTolerance, type CheckResult } from '../check-result.js';
import { delayShift, type DelayRunFigures, type DelayShift } from '../delay-shift-math.js';
import type { SelftestCheck } from '../selftest-check.js';

export const DELAY_SHIFT_TOLERANCE_MS = 0.3;
/** The most the noise may widen the tolerance: a 1 ms bias would still fail. */
export const DELAY_SHIFT_MAX_TOLERANCE_MS = 1;

/** Two-sided 95% quantiles of Student's t by degrees of freedom (1..10); 2 beyond. */
const T95 = [12.71, 4.3, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23];

/** Half-width of the gap's 95% confidence interval, ms; NaN with fewer than two pairs (pure). */
export function gapConfidenceMs(shift: DelayShift): number {
  const df = shift.pairGapsMs.length - 1;
  return df < 1 ? Number.NaN : (T95[df - 1] ?? 2) * shift.gapStdErrorMs;
}

/** The lines of the check from the shift (pure). */
export function judgeDelayShift(shift: DelayShift, toleranceMs = DELAY_SHIFT_TOLERANCE_MS): CheckResult[] {
  const noise = gapConfidenceMs(shift);
  const tooNoisy = noise > DELAY_SHIFT_MAX_TOLERANCE_MS;
  const tolerance = Math.min(
    Math.max(toleranceMs, Number.isNaN(noise) ? 0 : noise),
    DELAY_SHIFT_MAX_TOLERANCE_MS,
  );
  const line = withinTolerance({
    check: "delay shift: fulfilment (from address seen) moves by the agents' recorded time",
    expected: shift.appliedMs,
    measured: shift.measuredFromAddressedMs,
    tolerance,
    unit: 'ms',
  });
  const gaps = shift.pairGapsMs.map((g) => g.toFixed(2)).join(', ');
  const noiseNote = Number.isNaN(noise)
    ? 'one run: no noise estimate'
    : `runs' gaps ${gaps} ms: 95% +- ${noise.toFixed(2)} ms`;
  const notes = [
    tooNoisy
      ? `too noisy to judge (over ${DELAY_SHIFT_MAX_TOLERANCE_MS} ms); rerun on a quieter machine`
      : '',
    noiseNote,
    `fulfilment from planned moved ${shift.measuredMeanMs.toFixed(2)} ms (mean), ${shift.measuredP50Ms.toFixed(2)} ms (p50)`,
    `of it fabric ${shift.fabricMs.toFixed(2)} ms (drawn ${shift.nominalMs.toFixed(2)}), wait ${shift.fabricWaitMs.toFixed(2)} ms`,
  ];
  return [{ ...line, pass: line.pass && !tooNoisy, note: notes.filter((n) => n !== '').join('; ') }];
}

export function delayShiftCheck(deps: {
  /** Drives the runs and returns each run's figures per level, A and B of a run next to each other. */
  drive: () => Promise<readonly DelayRunFigures[]>;
  toleranceMs?: number;
}): SelftestCheck {
  return {
    name: 'delay shift',
    run: async () => judgeDelayShift(delayShift(await deps.drive()), deps.toleranceMs),
  };
}
