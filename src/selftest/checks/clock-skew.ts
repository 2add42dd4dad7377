/**
 * Skewed apiserver clock (testbed): the napis run with a known clock offset; the driver's
 * measured offset (driver minus server) must recover it within the uncertainty the driver states,
 * and its server-stamped fulfilment, corrected by that offset, must land between 0 and what the
 * driver saw from sending (plus the uncertainty): uncorrected it would be off by the whole skew.
 */
import type { CheckResult } from '../check-result.js';
import type { SelftestCheck } from '../selftest-check.js';

export interface ClockSkewMeasurement {
  /** The driver's summary.clock. */
  offsetMs: number;
  uncertaintyMs: number;
  /** p50 of the server-stamped fulfilment (corrected) and of fulfilment from sending, ms. */
  serverFulfilmentP50Ms: number | null;
  fulfilmentFromSentP50Ms: number | null;
}

const fmt = (v: number): string => `${v.toFixed(2)} ms`;

/** `skewMs`: how far the server's clock runs ahead of the driver's machine (pure). */
export function judgeClockSkew(skewMs: number, m: ClockSkewMeasurement): CheckResult[] {
  const want = -skewMs;
  const offset: CheckResult = {
    check: 'clock offset recovers the apiserver skew',
    expected: `${fmt(want)} +- ${m.uncertaintyMs.toFixed(2)} (stated)`,
    measured: fmt(m.offsetMs),
    pass: Number.isFinite(m.offsetMs) && Math.abs(m.offsetMs - want) <= m.uncertaintyMs,
  };
  const server = m.serverFulfilmentP50Ms;
  const sent = m.fulfilmentFromSentP50Ms;
  const upper = sent === null ? Number.NaN : sent + m.uncertaintyMs;
  const corrected: CheckResult = {
    check: 'server-stamped fulfilment corrected for the skew',
    expected: `p50 in [0, ${Number.isNaN(upper) ? 'n/a' : fmt(upper)}]`,
    measured: server === null ? 'n/a' : `p50 ${fmt(server)}`,
    pass: server !== null && server >= 0 && server <= upper,
    ...(server === null ? {} : { note: `uncorrected: p50 ${fmt(server - m.offsetMs)}` }),
  };
  return [offset, corrected];
}

export function clockSkewCheck(deps: {
  /** The napis' known skew, ms (the testbed's napiClockOffsetMs). */
  skewMs: number;
  drive: () => Promise<ClockSkewMeasurement>;
}): SelftestCheck {
  return { name: 'apiserver clock skew', run: async () => judgeClockSkew(deps.skewMs, await deps.drive()) };
}
