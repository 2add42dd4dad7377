/**
 * Exact figures over a window [fromMs, toMs] from raw samples (pure).
 *
 * Counters: the increase is the sum over consecutive sample pairs of the pair's increase times
 * the fraction of the pair's interval inside the window, i.e. linear interpolation at the
 * window's edges and no extrapolation beyond the first and last sample (unlike PromQL's
 * increase(), which extrapolates towards the range's ends). A drop is a counter reset: that
 * pair's increase is its second value (the counter restarted from 0). The part of the window
 * between two samples is "covered"; the window before a series' first sample or after its last
 * is not, and rates are taken over the covered part only.
 *
 * Gauges: each sample holds until the next one, or for one typical scrape interval after the
 * series' last sample; the average is time-weighted over the covered part of the window and
 * the max is over the values in effect in it (including the one in effect at fromMs).
 */

export interface Sample {
  /** Milliseconds since the epoch. */
  t: number;
  v: number;
}

export interface Coverage {
  /** Window time between the first and last sample that counts (ms). */
  coveredMs: number;
  firstMs: number;
  lastMs: number;
  /** The median interval between samples (ms); 0 with one sample. */
  typicalIntervalMs: number;
  /** Longest interval between samples that reaches into the window (ms). */
  longestGapMs: number;
}

export interface CounterWindow extends Coverage {
  increase: number;
  resets: number;
}

export interface GaugeWindow extends Coverage {
  avg: number;
  max: number;
}

/** Sorted by time, one sample per timestamp (the later one wins), non-finite values dropped. */
export function normalizeSamples(samples: readonly Sample[]): Sample[] {
  const byTime = new Map<number, number>();
  for (const s of samples) if (Number.isFinite(s.t) && Number.isFinite(s.v)) byTime.set(s.t, s.v);
  return [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ t, v }));
}

export function medianInterval(samples: readonly Sample[]): number {
  const gaps: number[] = [];
  for (let i = 1; i < samples.length; i++) gaps.push((samples[i]?.t ?? 0) - (samples[i - 1]?.t ?? 0));
  if (gaps.length === 0) return 0;
  gaps.sort((a, b) => a - b);
  const mid = Math.floor(gaps.length / 2);
  return gaps.length % 2 === 1 ? (gaps[mid] ?? 0) : ((gaps[mid - 1] ?? 0) + (gaps[mid] ?? 0)) / 2;
}

function overlap(a: number, b: number, fromMs: number, toMs: number): number {
  return Math.max(0, Math.min(b, toMs) - Math.max(a, fromMs));
}

/** undefined when no pair of samples reaches into the window. */
export function counterWindow(
  samples: readonly Sample[],
  fromMs: number,
  toMs: number,
): CounterWindow | undefined {
  const s = normalizeSamples(samples);
  let increase = 0;
  let coveredMs = 0;
  let resets = 0;
  let longestGapMs = 0;
  let firstMs = Infinity;
  let lastMs = -Infinity;
  for (let i = 1; i < s.length; i++) {
    const a = s[i - 1] as Sample;
    const b = s[i] as Sample;
    const inside = overlap(a.t, b.t, fromMs, toMs);
    if (inside <= 0) continue;
    const reset = b.v < a.v;
    if (reset) resets++;
    increase += ((reset ? b.v : b.v - a.v) * inside) / (b.t - a.t);
    coveredMs += inside;
    longestGapMs = Math.max(longestGapMs, b.t - a.t);
    firstMs = Math.min(firstMs, a.t);
    lastMs = Math.max(lastMs, b.t);
  }
  if (coveredMs <= 0) return undefined;
  return { increase, resets, coveredMs, firstMs, lastMs, typicalIntervalMs: medianInterval(s), longestGapMs };
}

/** undefined when no sample is in effect inside the window. */
export function gaugeWindow(
  samples: readonly Sample[],
  fromMs: number,
  toMs: number,
): GaugeWindow | undefined {
  const s = normalizeSamples(samples);
  const typical = medianInterval(s);
  let weighted = 0;
  let coveredMs = 0;
  let max = -Infinity;
  let longestGapMs = 0;
  let firstMs = Infinity;
  let lastMs = -Infinity;
  for (let i = 0; i < s.length; i++) {
    const a = s[i] as Sample;
    const next = s[i + 1];
    // The last sample holds for one typical interval; a lone sample counts only at its instant.
    const until = next === undefined ? a.t + typical : next.t;
    const inside = overlap(a.t, until, fromMs, toMs);
    const atInstant = a.t >= fromMs && a.t <= toMs;
    if (inside <= 0 && !atInstant) continue;
    weighted += a.v * inside;
    coveredMs += inside;
    max = Math.max(max, a.v);
    if (next !== undefined) longestGapMs = Math.max(longestGapMs, next.t - a.t);
    firstMs = Math.min(firstMs, a.t);
    lastMs = Math.max(lastMs, until);
  }
  if (max === -Infinity) return undefined;
  const avg = coveredMs > 0 ? weighted / coveredMs : max;
  return { avg, max, coveredMs, firstMs, lastMs, typicalIntervalMs: typical, longestGapMs };
}

/** A gap is an interval between samples of more than this many typical intervals. */
export const GAP_FACTOR = 3;

/**
 * Whether a series covers the window well enough to be called complete: it misses at most
 * 1.5 typical intervals (one scrape's phase at each end) and has no gap of GAP_FACTOR intervals.
 */
export function coverageProblem(c: Coverage, fromMs: number, toMs: number): string | undefined {
  const windowMs = toMs - fromMs;
  const missingMs = windowMs - c.coveredMs;
  const slack = Math.max(1.5 * c.typicalIntervalMs, 0.001 * windowMs);
  if (missingMs > slack) {
    const pct = ((100 * c.coveredMs) / windowMs).toFixed(1);
    return `samples cover ${pct}% of the window (from ${new Date(Math.max(c.firstMs, fromMs)).toISOString()} to ${new Date(Math.min(c.lastMs, toMs)).toISOString()})`;
  }
  if (c.typicalIntervalMs > 0 && c.longestGapMs > GAP_FACTOR * c.typicalIntervalMs) {
    return `a scrape gap of ${(c.longestGapMs / 1000).toFixed(1)} s (typical ${(c.typicalIntervalMs / 1000).toFixed(1)} s)`;
  }
  return undefined;
}
