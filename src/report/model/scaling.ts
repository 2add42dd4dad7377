/**
 * The scaling table: for each quantity (latency percentiles, each purpose's costs), the exponent k
 * of quantity ~ factor^k for every varying factor, from one least-squares fit of
 * log(quantity) = c + sum_f k_f log(f) over the individual runs (so replicates count as points and
 * the other factors are held fixed). A 95% interval comes from the t distribution whenever the fit
 * has residual degrees of freedom (replicates, or more cells than factors).
 */
import { leastSquares } from '../stats/regression.js';
import { COST_METRICS, costValue } from './cost-metrics.js';
import { primaryLatency, type FactorName, type ReportRun } from './report-run.js';

export interface ScalingRow {
  /** "latency" or a purpose. */
  subject: string;
  /** "p50" / "p99" for latency, a cost metric key otherwise. */
  quantity: string;
  unit: string;
  factor: FactorName;
  k: number | null;
  low: number | null;
  high: number | null;
  /** Runs that had a positive value for the quantity (logs need > 0). */
  points: number;
  residualDf: number | null;
  /** Why k is missing, when it is. */
  note: string | null;
}

interface Quantity {
  subject: string;
  quantity: string;
  unit: string;
  read: (r: ReportRun) => number | null;
}

function quantities(purposes: readonly string[]): Quantity[] {
  const latency: Quantity[] = [
    { subject: 'latency', quantity: 'p50', unit: 'ms', read: (r) => primaryLatency(r)?.p50Ms ?? null },
    { subject: 'latency', quantity: 'p99', unit: 'ms', read: (r) => primaryLatency(r)?.p99Ms ?? null },
  ];
  const costs = purposes.flatMap((purpose) =>
    COST_METRICS.map((m): Quantity => ({
      subject: purpose,
      quantity: m.key,
      unit: m.unit,
      read: (r) => costValue(r.costs, purpose, m),
    })),
  );
  return [...latency, ...costs];
}

function fitQuantity(runs: readonly ReportRun[], q: Quantity, varying: readonly FactorName[]): ScalingRow[] {
  const used = runs
    .map((r) => ({ r, v: q.read(r) }))
    .filter((p): p is { r: ReportRun; v: number } => p.v !== null && p.v > 0);
  // Only factors that still vary among the runs with data can be fitted.
  const fitted = varying.filter((f) => new Set(used.map((p) => p.r.factors[f])).size > 1);
  const fit =
    fitted.length === 0
      ? null
      : leastSquares(
          used.map((p) => fitted.map((f) => Math.log(p.r.factors[f]))),
          used.map((p) => Math.log(p.v)),
        );
  return varying.map((factor): ScalingRow => {
    const base = { subject: q.subject, quantity: q.quantity, unit: q.unit, factor, points: used.length };
    const j = fitted.indexOf(factor);
    const c = j >= 0 ? fit?.coefficients[j] : undefined;
    if (fit === null || c === undefined) {
      const note =
        used.length === 0
          ? 'no data'
          : j < 0
            ? `only one level of ${factor} has data`
            : `too few points (${used.length}) for ${fitted.length} factors`;
      return { ...base, k: null, low: null, high: null, residualDf: null, note };
    }
    return {
      ...base,
      k: c.estimate,
      low: c.low,
      high: c.high,
      residualDf: fit.residualDf,
      note: c.low === null ? 'no interval: as many factors as points' : null,
    };
  });
}

export function scalingTable(
  runs: readonly ReportRun[],
  varying: readonly FactorName[],
  purposes: readonly string[],
): ScalingRow[] {
  if (varying.length === 0) return [];
  return quantities(purposes).flatMap((q) => fitQuantity(runs, q, varying));
}
