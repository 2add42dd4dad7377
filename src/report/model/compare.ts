/**
 * Two sweeps side by side: cells matched by their factor levels; per cell and quantity the mean of
 * each side's runs, the change, and Welch's t-test when both sides have at least two runs, its p
 * adjusted for the number of tests made.
 */
import { holmAdjust } from '../stats/holm.js';
import { welchTTest } from '../stats/welch.js';
import { COST_METRICS, costValue } from './cost-metrics.js';
import { purposesOf } from './cost-series.js';
import { cellKey, factorLabel, groupBy, mean, varyingFactors } from './factors.js';
import { primaryLatency, type Factors, type ReportRun } from './report-run.js';

export interface CompareCell {
  /** The cell's levels of the factors that vary across the two sweeps (full key if none vary). */
  cell: string;
  factors: Factors;
  quantity: string;
  unit: string;
  a: number | null;
  b: number | null;
  runsA: number;
  runsB: number;
  /** b - a, and (b - a) / a. */
  change: number | null;
  changeRatio: number | null;
  /** Two-sided p of Welch's t-test; null without >= 2 runs on each side. */
  p: number | null;
  /** p adjusted by Holm's method over every test of the comparison: what significance reads. */
  pHolm: number | null;
}

interface Quantity {
  name: string;
  unit: string;
  read: (r: ReportRun) => number | null;
}

function quantities(purposes: readonly string[]): Quantity[] {
  return [
    { name: 'achieved rate', unit: 'ops/s', read: (r) => r.drive?.cruise.achievedRate ?? null },
    { name: 'latency p50', unit: 'ms', read: (r) => primaryLatency(r)?.p50Ms ?? null },
    { name: 'latency p99', unit: 'ms', read: (r) => primaryLatency(r)?.p99Ms ?? null },
    ...purposes.flatMap((p) =>
      COST_METRICS.filter((m) => !m.perOp || m.key === 'cpu-per-op').map((m): Quantity => ({
        name: `${p} ${m.key}`,
        unit: m.unit,
        read: (r) => costValue(r.costs, p, m),
      })),
    ),
  ];
}

export function compareSweeps(a: readonly ReportRun[], b: readonly ReportRun[]): CompareCell[] {
  const purposes = purposesOf([...a, ...b]);
  const cellsA = groupBy(a, (r) => cellKey(r.factors));
  const cellsB = groupBy(b, (r) => cellKey(r.factors));
  const keys = [...new Set([...cellsA.keys(), ...cellsB.keys()])];
  const varying = varyingFactors([...a, ...b]);
  const out: Omit<CompareCell, 'pHolm'>[] = [];
  for (const k of keys) {
    const some = cellsA.get(k) ?? cellsB.get(k);
    if (some === undefined) continue;
    for (const q of quantities(purposes)) {
      const va = (cellsA.get(k) ?? []).map(q.read).filter((v) => v !== null);
      const vb = (cellsB.get(k) ?? []).map(q.read).filter((v) => v !== null);
      const ma = mean(va);
      const mb = mean(vb);
      const change = ma === null || mb === null ? null : mb - ma;
      out.push({
        cell: varying.length === 0 ? k : factorLabel(some[0].factors, varying),
        factors: some[0].factors,
        quantity: q.name,
        unit: q.unit,
        a: ma,
        b: mb,
        runsA: va.length,
        runsB: vb.length,
        change,
        changeRatio: change === null || ma === null || ma === 0 ? null : change / ma,
        p: welchTTest(va, vb)?.p ?? null,
      });
    }
  }
  const adjusted = holmAdjust(out.map((c) => c.p));
  return out.map((c, i) => ({ ...c, pHolm: adjusted[i] ?? null }));
}
