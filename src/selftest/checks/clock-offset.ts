/**
 * Clock offset to the apiserver (cluster): the driver's measured offset and its stated
 * uncertainty. The true offset is unknown on a cluster, so what is checked is that it was
 * measured at all and tightly enough for server-stamped latencies to mean something.
 */
import type { CheckResult } from '../check-result.js';
import type { SelftestCheck } from '../selftest-check.js';

/** Server-stamped latencies are corrected by the offset; beyond this their error swamps them. @default */
export const MAX_OFFSET_UNCERTAINTY_MS = 5;

export interface MeasuredOffset {
  offsetMs: number;
  uncertaintyMs: number;
  samples: number;
}

export function judgeClockOffset(
  m: MeasuredOffset,
  maxUncertaintyMs = MAX_OFFSET_UNCERTAINTY_MS,
): CheckResult {
  return {
    check: 'clock offset to the apiserver measured',
    expected: `uncertainty <= ${maxUncertaintyMs.toFixed(2)} ms`,
    measured: `${m.offsetMs.toFixed(2)} ms +- ${m.uncertaintyMs.toFixed(2)} (${m.samples} probes)`,
    pass: m.samples > 0 && Number.isFinite(m.offsetMs) && m.uncertaintyMs <= maxUncertaintyMs,
  };
}

export function clockOffsetCheck(deps: {
  measure: () => Promise<MeasuredOffset>;
  maxUncertaintyMs?: number;
}): SelftestCheck {
  return {
    name: 'clock offset',
    run: async () => [judgeClockOffset(await deps.measure(), deps.maxUncertaintyMs)],
  };
}
