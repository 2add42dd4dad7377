/**
 * Waits until Prometheus holds a cost sample of every node of a run taken at or after a moment
 * (the end of a reconfiguration), so a node just scaled up is not missing from the cruise's first
 * seconds. The look at the answer is pure; the poll takes its clock and sleep as parameters.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { createPrometheusClient, type FetchLike } from '../prometheus/prometheus-api.js';
import { KosTestError } from '../util/errors.js';
import { costSelector } from './cost-queries.js';
import { listSome, seriesNode } from './node-identity.js';

/** Each series' last sample time (`timestamp(cpu)`): a node's exporter or cAdvisor writes them together. */
export const LATEST_SAMPLE_QUERY = `timestamp(${costSelector('cpu')})`;

/** node -> time of its latest sample (ms), from LATEST_SAMPLE_QUERY's answer (pure). */
export function latestSampleByNode(
  vector: readonly { labels: Readonly<Record<string, string>>; value: number }[],
): Map<string, number> {
  const latest = new Map<string, number>();
  for (const s of vector) {
    const node = seriesNode(s.labels);
    if (node === undefined || !Number.isFinite(s.value)) continue;
    latest.set(node, Math.max(latest.get(node) ?? -Infinity, Math.round(s.value * 1000)));
  }
  return latest;
}

/** The nodes without a sample at or after `sinceMs`, in the order given (pure). */
export function staleNodes(
  latest: ReadonlyMap<string, number>,
  nodes: readonly string[],
  sinceMs: number,
): string[] {
  return nodes.filter((n) => (latest.get(n) ?? -Infinity) < sinceMs);
}

export interface FreshSamplesOptions {
  prometheusUrl: string;
  nodes: readonly string[];
  /** Samples taken before this (ms since the epoch) do not count. */
  sinceMs: number;
  timeoutMs: number;
  signal: AbortSignal;
  /** @default 500 */
  pollMs?: number;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  fetch?: FetchLike;
}

export async function waitForFreshSamples(o: FreshSamplesOptions): Promise<void> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms, signal) => sleepFor(ms, undefined, { signal }));
  const client = createPrometheusClient({
    url: o.prometheusUrl,
    signal: o.signal,
    ...(o.fetch === undefined ? {} : { fetch: o.fetch }),
  });
  const deadline = now() + o.timeoutMs;
  for (;;) {
    const latest = latestSampleByNode(await client.queryVector(LATEST_SAMPLE_QUERY, now()));
    const stale = staleNodes(latest, o.nodes, o.sinceMs);
    if (stale.length === 0) return;
    if (now() >= deadline) {
      throw new KosTestError({
        what: 'Prometheus has no fresh cost sample of every node of the run',
        value: `${stale.length} of ${o.nodes.length} without a sample since ${new Date(o.sinceMs).toISOString()} after ${Math.round(o.timeoutMs / 1000)} s: ${listSome(stale)}`,
        fix: `check that cAdvisor (on the testbed, its exporter) serves those nodes and that ${client.url}/targets scrapes them`,
      });
    }
    await sleep(o.pollMs ?? 500, o.signal);
  }
}
