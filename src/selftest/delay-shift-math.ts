/**
 * The delay-shift arithmetic (pure): from A B B A runs, the shift the agents applied (their
 * fabric time, B minus A) and the shift the driver measured (fulfilment from planned, mean and
 * p50 over both runs of each level, histograms merged exactly).
 */
import type { LatencyStats } from '../measure/latency-stats.js';
import { mergeLatencyStats } from '../measure/merge-latency-stats.js';

export interface DelayRunFigures {
  level: 'A' | 'B';
  delayMs: number;
  fabricMeanMs: number;
  statusPutMeanMs: number;
  /** Server-stamped: the address write to the agent's status write (queue, fabric, PUT), ms. */
  agentSpanMeanMs: number;
  fulfilment: LatencyStats;
}

export interface DelayShift {
  /** B's drawn delay minus A's, ms. */
  nominalMs: number;
  /** The agents' recorded fabric time, B minus A (mean), ms. */
  appliedMs: number;
  /** Fulfilment from planned, B minus A, ms. */
  measuredMeanMs: number;
  measuredP50Ms: number;
  /** The agents' status PUT round trip, B minus A (mean), ms. */
  statusPutMs: number;
  /** The agents' server-stamped span, B minus A (mean), ms. */
  agentSpanMs: number;
}

function meanOf(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

export function delayShift(runs: readonly DelayRunFigures[]): DelayShift {
  const of = (level: 'A' | 'B'): DelayRunFigures[] => runs.filter((r) => r.level === level);
  const a = of('A');
  const b = of('B');
  const diff = (f: (rs: DelayRunFigures[]) => number): number => f(b) - f(a);
  const merged = (rs: DelayRunFigures[]): LatencyStats => mergeLatencyStats(rs.map((r) => r.fulfilment));
  return {
    nominalMs: diff((rs) => meanOf(rs.map((r) => r.delayMs))),
    appliedMs: diff((rs) => meanOf(rs.map((r) => r.fabricMeanMs))),
    measuredMeanMs: diff((rs) => merged(rs).meanMs ?? Number.NaN),
    measuredP50Ms: diff((rs) => merged(rs).p50Ms ?? Number.NaN),
    statusPutMs: diff((rs) => meanOf(rs.map((r) => r.statusPutMeanMs))),
    agentSpanMs: diff((rs) => meanOf(rs.map((r) => r.agentSpanMeanMs))),
  };
}
