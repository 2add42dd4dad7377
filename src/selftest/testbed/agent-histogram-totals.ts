/**
 * Sum and count of a hollow agent histogram over every agent group of a testbed, read from the
 * groups' own /metrics (not Prometheus, so a delta between two reads is exact).
 */
import { parseSamples, type Sample } from '../../testbed/exporter/prom-text.js';
import type { TestbedStatus } from '../../testbed/supervisor/testbed.js';

export interface HistogramTotals {
  sumSeconds: number;
  count: number;
}

/** The `_sum` and `_count` of `name` over samples whose labels include `labels` (pure). */
export function histogramTotals(
  samples: readonly Sample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): HistogramTotals {
  let sumSeconds = 0;
  let count = 0;
  for (const s of samples) {
    if (!Object.entries(labels).every(([k, v]) => s.labels[k] === v)) continue;
    if (s.name === `${name}_sum`) sumSeconds += s.value;
    else if (s.name === `${name}_count`) count += s.value;
  }
  return { sumSeconds, count };
}

/** Mean in ms of what was observed between two reads; NaN when nothing was. */
export function meanMsBetween(before: HistogramTotals, after: HistogramTotals): number {
  const n = after.count - before.count;
  return n > 0 ? ((after.sumSeconds - before.sumSeconds) * 1000) / n : Number.NaN;
}

/** Every agent group's samples of the histograms under `prefix`. */
export async function readAgentSamples(status: TestbedStatus, prefix = 'kos_agent_'): Promise<Sample[]> {
  const urls = status.processes.filter((p) => p.purpose === 'comp' && p.endpoints.metrics !== undefined);
  const texts = await Promise.all(urls.map(async (p) => (await fetch(p.endpoints.metrics ?? '')).text()));
  return texts.flatMap((t) => parseSamples(t, (n) => n.startsWith(prefix)));
}
