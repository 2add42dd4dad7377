/**
 * Per-purpose cost against each varying factor, one line per combination of the other varying
 * factors; replicates averaged. A cell with no data for a figure is kept as a gap (value null,
 * drawn as a break in the line and marked in the CSV), never as 0.
 */
import { COSTED_PURPOSES } from '../../measure/cost-table.js';
import { COST_METRICS, costValue, type CostMetric } from './cost-metrics.js';
import { groupBy, mean, placeInPlot } from './factors.js';
import type { FactorName, ReportRun } from './report-run.js';

export interface CostPoint {
  factor: FactorName;
  metric: string;
  purpose: string;
  /** The plot line and panel, as in latency-series.ts. */
  series: string;
  panel: string;
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
  // Every run counts, failed ones too: a cell whose runs all lack data is drawn as a gap.
  const cells = groupBy(runs, (r) => {
    const at = placeInPlot(r.factors, factor, varying);
    return `${at.panel}\u0000${at.series}\u0000${r.factors[factor]}`;
  });
  const points: CostPoint[] = [];
  for (const purpose of purposes) {
    for (const group of cells.values()) {
      const values = group.map((r) => costValue(r.costs, purpose, metric)).filter((v) => v !== null);
      points.push({
        factor,
        metric: metric.key,
        purpose,
        ...placeInPlot(group[0].factors, factor, varying),
        x: group[0].factors[factor],
        value: mean(values),
        runsWithData: values.length,
        runs: group.length,
      });
    }
  }
  // Purposes stay in the given order (the contract's); panels, lines and x sorted within each.
  const byName = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });
  return points.sort(
    (a, b) =>
      purposes.indexOf(a.purpose) - purposes.indexOf(b.purpose) ||
      byName(a.panel, b.panel) ||
      byName(a.series, b.series) ||
      a.x - b.x,
  );
}

export { COST_METRICS };
