/**
 * Which instant queries fetch a window's raw samples (pure). Prometheus caps the samples one
 * query may load (`--query.max-samples`, 50M by default) and a response of millions of samples
 * is slow to parse, so a span with more than `maxSamplesPerQuery` samples is fetched in
 * contiguous chunks. A range selector `x[r]` at time t selects [t - r, t] in Prometheus 2.x
 * (both ends included): chunk edges may return one sample twice, so merging de-duplicates.
 */

export interface FetchSpan {
  /** Window start minus the margin: samples before the window let us interpolate its start. */
  fromMs: number;
  toMs: number;
}

export interface FetchChunk {
  /** The instant query's evaluation time (the chunk's end). */
  evalMs: number;
  /** The range selector's length. */
  rangeMs: number;
}

/** @default margin for spanWithMargin: enough for one sample each side at a 30 s scrape interval. */
export const DEFAULT_MARGIN_MS = 60_000;
/** @default budget per query. */
export const DEFAULT_MAX_SAMPLES_PER_QUERY = 250_000;

export function spanWithMargin(fromMs: number, toMs: number, marginMs = DEFAULT_MARGIN_MS): FetchSpan {
  return { fromMs: Math.floor(fromMs - marginMs), toMs: Math.ceil(toMs + marginMs) };
}

/**
 * Splits the span into the fewest equal chunks (whole ms) whose expected sample count, at the
 * span's average density, stays within the budget. The last chunk ends exactly at span.toMs.
 */
export function planChunks(
  span: FetchSpan,
  totalSamples: number,
  maxSamplesPerQuery = DEFAULT_MAX_SAMPLES_PER_QUERY,
): FetchChunk[] {
  const length = span.toMs - span.fromMs;
  if (!(length >= 1)) throw new RangeError(`empty fetch span ${span.fromMs}..${span.toMs}`);
  if (!(maxSamplesPerQuery >= 1)) throw new RangeError(`bad sample budget ${maxSamplesPerQuery}`);
  const wanted = Math.max(1, Math.ceil(Math.max(0, totalSamples) / maxSamplesPerQuery));
  // A chunk of less than 1 ms cannot be asked for.
  const count = Math.min(wanted, length);
  const chunks: FetchChunk[] = [];
  let start = span.fromMs;
  for (let i = 1; i <= count; i++) {
    const end = i === count ? span.toMs : span.fromMs + Math.round((length * i) / count);
    chunks.push({ evalMs: end, rangeMs: end - start });
    start = end;
  }
  return chunks;
}
