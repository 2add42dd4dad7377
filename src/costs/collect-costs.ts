/**
 * Cost collection over one window: for each cost metric, count the raw samples the window
 * (with a margin each side) holds, fetch them in as many chunks as the sample budget needs, and
 * hand them to the pure assembly. Prometheus not answering fails the whole collection; one
 * metric's failed query leaves its figures null and the table marked partial.
 */
import type { CostTable, RunNode } from '../measure/cost-table.js';
import {
  createPrometheusClient,
  type FetchLike,
  type PrometheusClient,
} from '../prometheus/prometheus-api.js';
import { KosTestError, toError } from '../util/errors.js';
import { assembleCostTable, type MetricData } from './cost-assembly.js';
import {
  COST_METRICS,
  costSelector,
  rawSamplesQuery,
  sampleCountQuery,
  type CostMetric,
} from './cost-queries.js';
import {
  DEFAULT_MARGIN_MS,
  DEFAULT_MAX_SAMPLES_PER_QUERY,
  planChunks,
  spanWithMargin,
} from './fetch-plan.js';
import type { RawSeries } from './node-figures.js';

export interface CollectCostsOptions {
  prometheusUrl: string;
  /** The window, ms since the epoch (e.g. a run's cruise phase). */
  fromMs: number;
  toMs: number;
  /** Ops done in the window: adds per-op figures. */
  ops?: number | undefined;
  /** node -> purpose (the Node objects' kos-role labels); else the series' labels decide. */
  nodePurposes?: Readonly<Record<string, string>> | undefined;
  /** The nodes of the run (a sweep's run): only they are costed; others are listed as not in the run. */
  runNodes?: readonly RunNode[] | undefined;
  /** RE2 regex on the network series' `interface` (testbed: `lo`; seed clusters: `eth[0-3]`). */
  interfaceFilter?: string | undefined;
  signal?: AbortSignal | undefined;
  fetch?: FetchLike | undefined;
  /** Samples fetched beyond each end of the window, for interpolation. @default 60000 */
  marginMs?: number;
  /** @default 250000 */
  maxSamplesPerQuery?: number;
}

const METRICS = Object.keys(COST_METRICS) as CostMetric[];

export async function collectCosts(opts: CollectCostsOptions): Promise<CostTable> {
  checkWindow(opts.fromMs, opts.toMs);
  if (opts.ops !== undefined && !(Number.isInteger(opts.ops) && opts.ops >= 0)) {
    throw new KosTestError({
      what: 'bad op count',
      value: String(opts.ops),
      fix: 'give a whole number >= 0',
    });
  }
  const client = createPrometheusClient({
    url: opts.prometheusUrl,
    ...(opts.fetch === undefined ? {} : { fetch: opts.fetch }),
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
  });
  await client.checkReady();
  const warnings: string[] = [];
  const data = {} as Record<CostMetric, MetricData>;
  // One metric at a time: a large window's fetches are the heaviest queries Prometheus gets.
  for (const metric of METRICS) {
    try {
      const fetched = await fetchMetric(client, metric, opts);
      warnings.push(...fetched.warnings.map((w) => `Prometheus: ${w}`));
      data[metric] = { series: fetched.series };
    } catch (e: unknown) {
      if (opts.signal?.aborted === true) throw e;
      if (e instanceof KosTestError && e.what === 'Prometheus does not answer') throw e;
      data[metric] = { error: toError(e).message };
    }
  }
  const failed = METRICS.map((m) => data[m]).filter((d) => 'error' in d);
  const first = failed[0];
  if (first !== undefined && failed.length === METRICS.length) {
    // Nothing to show: the first failure is the message.
    throw new KosTestError({ what: 'every cost query failed', value: first.error });
  }
  return assembleCostTable({
    prometheus: client.url,
    fromMs: opts.fromMs,
    toMs: opts.toMs,
    ops: opts.ops ?? null,
    nodePurposes: opts.nodePurposes,
    runNodes: opts.runNodes,
    data,
    warnings,
  });
}

async function fetchMetric(
  client: PrometheusClient,
  metric: CostMetric,
  opts: CollectCostsOptions,
): Promise<{ series: RawSeries[]; warnings: string[] }> {
  const selector = costSelector(metric, { interfaceFilter: opts.interfaceFilter });
  const span = spanWithMargin(opts.fromMs, opts.toMs, opts.marginMs ?? DEFAULT_MARGIN_MS);
  const total =
    (await client.queryNumber(sampleCountQuery(selector, span.toMs - span.fromMs), span.toMs)) ?? 0;
  const warnings: string[] = [];
  const merged = new Map<string, RawSeries>();
  if (total === 0) return { series: [], warnings };
  for (const chunk of planChunks(span, total, opts.maxSamplesPerQuery ?? DEFAULT_MAX_SAMPLES_PER_QUERY)) {
    const got = await client.querySamples(rawSamplesQuery(selector, chunk.rangeMs), chunk.evalMs);
    warnings.push(...got.warnings);
    for (const s of got.series) {
      const key = seriesKey(s.labels);
      const into = merged.get(key);
      if (into === undefined) merged.set(key, { labels: s.labels, samples: [...s.samples] });
      else into.samples.push(...s.samples);
    }
  }
  return { series: [...merged.values()], warnings };
}

function seriesKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function checkWindow(fromMs: number, toMs: number): void {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs <= fromMs) {
    throw new KosTestError({
      what: 'bad cost window',
      value: `${String(fromMs)} .. ${String(toMs)}`,
      fix: 'give a window whose end is after its start',
    });
  }
}
