/**
 * Latency percentiles against each varying factor, one line per combination of the other varying
 * factors. Replicates of a cell are merged histogram by histogram, so a point's p99 is the p99 of
 * all its samples, not an average of percentiles.
 */
import { decodeHistogram, latencyStats, mergeHistograms } from '../../measure/histogram.js';
import { factorLabel, groupBy } from './factors.js';
import { primaryLatency, type FactorName, type ReportRun } from './report-run.js';

export const PLOTTED_PERCENTILES = ['p50', 'p90', 'p99', 'p99.9'] as const;
export type PlottedPercentile = (typeof PLOTTED_PERCENTILES)[number];

export interface LatencyPoint {
  factor: FactorName;
  /** The plot line: the other varying factors' levels. */
  series: string;
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
  const others = varying.filter((f) => f !== factor);
  const withData = runs.flatMap((run) => {
    const latency = primaryLatency(run);
    return latency === null ? [] : [{ factors: run.factors, histogram: latency.histogram }];
  });
  const cells = groupBy(withData, (r) => `${factorLabel(r.factors, others)}\u0000${r.factors[factor]}`);
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
        series: factorLabel(first.factors, others),
        x: first.factors[factor],
        percentile,
        valueMs,
        runs: group.length,
        samples: merged.count,
      });
    }
  }
  return points.sort((a, b) => a.series.localeCompare(b.series, 'en', { numeric: true }) || a.x - b.x);
}
