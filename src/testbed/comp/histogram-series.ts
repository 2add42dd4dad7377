/**
 * Observations into one series of a prom-client histogram without its per-call label work.
 * prom-client's `observe(labels, v)` validates, sorts and hashes the labels on every call, about ten
 * times the cost of the counting itself; a 1,000-agent group observes a few thousand times a second
 * at the seed's corner (ADR 0046). A series is resolved once, through prom-client's own `zero`, and
 * then counted in place, so the registry and the lean render read the same state as before.
 * Relies on prom-client 15's series shape (pinned; the unit test holds it to `observe`), and on
 * nothing resetting the histogram (which would replace the series held here).
 */
import type { Histogram, LabelValues } from 'prom-client';

/** prom-client 15's state of one histogram series. */
export interface HistogramSeries {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly bucketValues: Record<string, number>;
  sum: number;
  count: number;
}

export function seriesOf(h: Histogram): Readonly<Record<string, HistogramSeries>> {
  return (h as unknown as { hashMap: Record<string, HistogramSeries> }).hashMap;
}

function sameLabels(
  a: Readonly<Record<string, string | number>>,
  b: Readonly<Record<string, string | number>>,
): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function findSeries<L extends string>(h: Histogram<L>, labels: LabelValues<L>): HistogramSeries | undefined {
  const want = labels as Record<string, string | number>;
  return Object.values(seriesOf(h as Histogram)).find((s) => sameLabels(s.labels, want));
}

/**
 * Counts an observation into `h`'s series for `labels` as `h.observe(labels, v)` would: the sum,
 * the count, and the first bucket whose bound holds it (none above the last bound). The series is
 * made on the first call, so a label set never observed stays out of the text.
 */
export function seriesObserver<L extends string>(
  h: Histogram<L>,
  labels: LabelValues<L>,
  bounds: readonly number[],
): (value: number) => void {
  const keys = bounds.map(String);
  let series: HistogramSeries | undefined;
  return (value) => {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${String(value)}`);
    if (series === undefined) {
      h.labels(labels); // validates them, as observe would, and makes nothing
      // `zero` makes the series; one prom-client already made must not be zeroed.
      if (findSeries(h, labels) === undefined) h.zero(labels);
      series = findSeries(h, labels);
      if (series === undefined) throw new Error(`prom-client made no series for ${JSON.stringify(labels)}`);
    }
    series.sum += value;
    series.count += 1;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= (bounds[i] as number)) {
        const key = keys[i] as string;
        series.bucketValues[key] = (series.bucketValues[key] ?? 0) + 1;
        return;
      }
    }
  };
}

/**
 * One histogram's observers, by a key the caller gives for each label set (a few, fixed, per
 * metric): deriving it from the labels would cost the hashing this file saves.
 */
export class HistogramObservers<L extends string> {
  private readonly byKey = new Map<string, (value: number) => void>();

  constructor(
    private readonly histogram: Histogram<L>,
    private readonly bounds: readonly number[],
  ) {}

  observe(key: string, labels: LabelValues<L>, value: number): void {
    let observer = this.byKey.get(key);
    if (observer === undefined) {
      observer = seriesObserver(this.histogram, labels, this.bounds);
      this.byKey.set(key, observer);
    }
    observer(value);
  }
}
