/**
 * Distributions drawn from HDR histograms exactly: CDF points at bucket edges (the fraction of
 * values <= each edge is exact, not interpolated) and log-spaced histogram bins.
 */
import { JsHistogram } from 'hdr-histogram-js';
import { decodeHistogram, type Histogram } from '../../measure/histogram.js';

export interface CdfPoint {
  valueMs: number;
  /** Fraction of samples <= valueMs. */
  fraction: number;
}

export interface HistogramBin {
  lowMs: number;
  highMs: number;
  count: number;
}

/** Bins per decade: 25 keeps a plot readable while staying finer than a 10% step. */
const BINS_PER_DECADE = 25;

/** Every recorded HDR bucket: its highest equivalent value (us) and its count. */
function buckets(h: Histogram): { valueUs: number; count: number }[] {
  if (!(h instanceof JsHistogram)) throw new TypeError('expected a JS HDR histogram');
  const out: { valueUs: number; count: number }[] = [];
  const it = h.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    out.push({ valueUs: h.highestEquivalentValue(v.valueIteratedTo), count: v.countAtValueIteratedTo });
  }
  return out;
}

function binIndex(valueUs: number): number {
  return Math.floor(Math.log10(Math.max(1, valueUs)) * BINS_PER_DECADE);
}

function binEdgeMs(index: number): number {
  return 10 ** (index / BINS_PER_DECADE) / 1000;
}

/** Counts per log bin (empty bins left out). */
export function histogramBins(base64: string): HistogramBin[] {
  const counts = new Map<number, number>();
  for (const b of buckets(decodeHistogram(base64))) {
    const i = binIndex(b.valueUs);
    counts.set(i, (counts.get(i) ?? 0) + b.count);
  }
  return [...counts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([i, count]) => ({ lowMs: binEdgeMs(i), highMs: binEdgeMs(i + 1), count }));
}

/** The CDF at the top of every non-empty log bin, ending at the maximum with fraction 1. */
export function cdfPoints(base64: string): CdfPoint[] {
  const h = decodeHistogram(base64);
  const total = h.totalCount;
  if (total === 0) return [];
  const maxUs = h.maxValue;
  const points: CdfPoint[] = [];
  let seen = 0;
  let lastBin: number | null = null;
  let lastValue = 0;
  for (const b of buckets(h)) {
    const bin = binIndex(b.valueUs);
    if (lastBin !== null && bin !== lastBin)
      points.push({ valueMs: lastValue / 1000, fraction: seen / total });
    seen += b.count;
    lastBin = bin;
    lastValue = Math.min(b.valueUs, maxUs);
  }
  points.push({ valueMs: lastValue / 1000, fraction: seen / total });
  return points;
}
