/**
 * The delay-shift arithmetic (pure): from runs with both levels (A and B of a run next to each
 * other), the shift the agents applied, i.e. what they recorded from taking the watch event to
 * their status PUT's answer (wait behind other fabric calls, the fabric call, the PUT), B minus
 * A, with each part; and the shift the driver measured: of its fulfilment from planned
 * (mean and p50, histograms merged exactly), and of the same fulfilment less the time to the
 * driver's sighting of the address, which no level changes but a loaded machine's control plane
 * varies by tens of ms from op to op. Also how far the gap varies between runs (its noise).
 */
import type { LatencyStats } from '../measure/latency-stats.js';
import { mergeLatencyStats } from '../measure/merge-latency-stats.js';

export interface DelayRunFigures {
  level: 'A' | 'B';
  delayMs: number;
  fabricMeanMs: number;
  /** The watch event that queued an attachment to the start of its fabric call (agent clock), ms. */
  fabricWaitMeanMs: number;
  /** The attachment's last client write (its create; server stamp) to its local interface (agent clock), ms. */
  localIfcMeanMs: number;
  statusPutMeanMs: number;
  /** Server-stamped: the last client write to the agent's status write, ms. */
  agentSpanMeanMs: number;
  /** The driver's create to addressed (mean), ms: the control plane before the agents. */
  addressedMeanMs: number;
  /** The driver's fulfilment less its sighting of the address (mean of ready - addressed), ms. */
  fromAddressedMeanMs: number;
  fulfilment: LatencyStats;
}

export interface DelayShift {
  /** B's drawn delay minus A's, ms. */
  nominalMs: number;
  /** The agents' recorded wait, fabric call and status PUT, B minus A (mean), ms. */
  appliedMs: number;
  /** The agents' recorded fabric time alone, B minus A (mean), ms. */
  fabricMs: number;
  /** Fulfilment from planned, B minus A, ms. */
  measuredMeanMs: number;
  measuredP50Ms: number;
  /** Fulfilment less the driver's sighting of the address, B minus A (mean), ms: what is judged. */
  measuredFromAddressedMs: number;
  /** The agents' wait before the fabric call, B minus A (mean), ms. */
  fabricWaitMs: number;
  /** The create write to the agent taking the event (control plane, watch): local ifc less wait and fabric, B - A, ms. */
  toAgentMs: number;
  /** The agents' status PUT round trip, B minus A (mean), ms. */
  statusPutMs: number;
  /** The agents' server-stamped span, B minus A (mean), ms. */
  agentSpanMs: number;
  /** The driver's create to addressed, B minus A (mean), ms. */
  addressedMs: number;
  /** measuredFromAddressed - applied of each run (pair of figures), in run order, ms. */
  pairGapsMs: number[];
  /** Standard error of measuredFromAddressed - applied from the spread of pairGapsMs; NaN with one pair. */
  gapStdErrorMs: number;
}

export function meanOf(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation over the mean's count, i.e. the standard error of the mean. */
function stdErrorOf(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return Number.NaN;
  const m = meanOf(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (n - 1) / n);
}

/** The figures two by two, i.e. each run's A and B (pure); a pair without both levels is left out. */
function pairs(runs: readonly DelayRunFigures[]): DelayRunFigures[][] {
  const out: DelayRunFigures[][] = [];
  for (let i = 0; i + 1 < runs.length; i += 2) out.push(runs.slice(i, i + 2));
  return out.filter((p) => p.some((r) => r.level === 'A') && p.some((r) => r.level === 'B'));
}

function shiftOf(runs: readonly DelayRunFigures[]): Omit<DelayShift, 'pairGapsMs' | 'gapStdErrorMs'> {
  const of = (level: 'A' | 'B'): DelayRunFigures[] => runs.filter((r) => r.level === level);
  const a = of('A');
  const b = of('B');
  const diff = (f: (rs: DelayRunFigures[]) => number): number => f(b) - f(a);
  const mean = (f: (r: DelayRunFigures) => number) => (rs: DelayRunFigures[]) => meanOf(rs.map(f));
  const merged = (rs: DelayRunFigures[]): LatencyStats => mergeLatencyStats(rs.map((r) => r.fulfilment));
  return {
    nominalMs: diff(mean((r) => r.delayMs)),
    appliedMs: diff(mean((r) => r.fabricWaitMeanMs + r.fabricMeanMs + r.statusPutMeanMs)),
    fabricMs: diff(mean((r) => r.fabricMeanMs)),
    measuredMeanMs: diff((rs) => merged(rs).meanMs ?? Number.NaN),
    measuredP50Ms: diff((rs) => merged(rs).p50Ms ?? Number.NaN),
    measuredFromAddressedMs: diff(mean((r) => r.fromAddressedMeanMs)),
    fabricWaitMs: diff(mean((r) => r.fabricWaitMeanMs)),
    toAgentMs: diff(mean((r) => r.localIfcMeanMs - r.fabricWaitMeanMs - r.fabricMeanMs)),
    statusPutMs: diff(mean((r) => r.statusPutMeanMs)),
    agentSpanMs: diff(mean((r) => r.agentSpanMeanMs)),
    addressedMs: diff(mean((r) => r.addressedMeanMs)),
  };
}

export function delayShift(runs: readonly DelayRunFigures[]): DelayShift {
  const pairGapsMs = pairs(runs).map((p) => {
    const s = shiftOf(p);
    return s.measuredFromAddressedMs - s.appliedMs;
  });
  return { ...shiftOf(runs), pairGapsMs, gapStdErrorMs: stdErrorOf(pairGapsMs) };
}
