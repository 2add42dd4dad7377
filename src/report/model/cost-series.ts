/**
 * Per-purpose cost against each varying factor, one line per combination of the other varying
 * factors; replicates averaged. A cell with no data for a figure is kept as a gap (value null,
 * drawn as a break in the line and marked in the CSV), never as 0.
 */
import { COSTED_PURPOSES } from '../../measure/cost-table.js';
import { COST_METRICS, costValue, type CostMetric } from './cost-metrics.js';
import { factorLabel, groupBy, mean } from './factors.js';
import type { FactorName, ReportRun } from './report-run.js';

export interface CostPoint {
  factor: FactorName;
  metric: string;
  purpose: string;
  series: string;
  x: number;
  /** Mean over the cell's runs with data; null when none had data. */
  value: number | null;
  runsWithData: number;
  runs: number;
}

/** Purposes present in any run's cost table, in the contract's order first. */
export function purposesOf(runs: readonly ReportRun[]): string[] {
  const seen = new Set(runs.flatMap((r) => r.costs?.purposes.map((p) => p.purpose) ?? []));
  const known = COSTED_PURPOSES.filter((p) => seen.has(p));
  return [...known, ...[...seen].filter((p) => !(COSTED_PURPOSES as readonly string[]).includes(p)).sort()];
}

export function costSeries(
  runs: readonly ReportRun[],
  factor: FactorName,
  varying: readonly FactorName[],
  metric: CostMetric,
  purposes: readonly string[],
): CostPoint[] {
  const others = varying.filter((f) => f !== factor);
  const considered = runs.filter((r) => r.status === 'completed' || r.costs !== null);
  const cells = groupBy(considered, (r) => `${factorLabel(r.factors, others)}\u0000${r.factors[factor]}`);
  const points: CostPoint[] = [];
  for (const purpose of purposes) {
    for (const group of cells.values()) {
      const values = group.map((r) => costValue(r.costs, purpose, metric)).filter((v) => v !== null);
      points.push({
        factor,
        metric: metric.key,
        purpose,
        series: factorLabel(group[0].factors, others),
        x: group[0].factors[factor],
        value: mean(values),
        runsWithData: values.length,
        runs: group.length,
      });
    }
  }
  // Purposes stay in the given order (the contract's); lines and x sorted within each.
  return points.sort(
    (a, b) =>
      purposes.indexOf(a.purpose) - purposes.indexOf(b.purpose) ||
      a.series.localeCompare(b.series, 'en', { numeric: true }) ||
      a.x - b.x,
  );
}

export { COST_METRICS };
