/**
 * Latency percentiles against each varying factor, one line per combination of the other varying
 * factors. Replicates of a cell are merged histogram by histogram, so a point's p99 is the p99 of
 * all its samples, not an average of percentiles.
 */
import { decodeHistogram, latencyStats, mergeHistograms } from '../../measure/histogram.js';
import { groupBy, placeInPlot } from './factors.js';
import { primaryLatency, type FactorName, type ReportRun } from './report-run.js';

export const PLOTTED_PERCENTILES = ['p50', 'p90', 'p99', 'p99.9'] as const;
export type PlottedPercentile = (typeof PLOTTED_PERCENTILES)[number];

export interface LatencyPoint {
  factor: FactorName;
  /** The plot line: the level of the next varying factor ("all runs" if none). */
  series: string;
  /** The panel: levels of the varying factors beyond that ("all runs" if none). */
  panel: string;
  x: number;
  percentile: PlottedPercentile;
  valueMs: number;
  /** Runs merged into this point, and their samples. */
  runs: number;
  samples: number;
}

export function latencySeries(
  runs: readonly ReportRun[],
  factor: FactorName,
  varying: readonly FactorName[],
): LatencyPoint[] {
  const withData = runs.flatMap((run) => {
    const latency = primaryLatency(run);
    return latency === null ? [] : [{ factors: run.factors, histogram: latency.histogram }];
  });
  const cells = groupBy(withData, (r) => {
    const at = placeInPlot(r.factors, factor, varying);
    return `${at.panel}\u0000${at.series}\u0000${r.factors[factor]}`;
  });
  const points: LatencyPoint[] = [];
  for (const group of cells.values()) {
    const first = group[0];
    const merged = latencyStats(mergeHistograms(group.map((r) => decodeHistogram(r.histogram))));
    const values: Record<PlottedPercentile, number | null> = {
      p50: merged.p50Ms,
      p90: merged.p90Ms,
      p99: merged.p99Ms,
      'p99.9': merged.p999Ms,
    };
    for (const percentile of PLOTTED_PERCENTILES) {
      const valueMs = values[percentile];
      if (valueMs === null) continue;
      points.push({
        factor,
        ...placeInPlot(first.factors, factor, varying),
        x: first.factors[factor],
        percentile,
        valueMs,
        runs: group.length,
        samples: merged.count,
      });
    }
  }
  const byName = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });
  return points.sort((a, b) => byName(a.panel, b.panel) || byName(a.series, b.series) || a.x - b.x);
}
