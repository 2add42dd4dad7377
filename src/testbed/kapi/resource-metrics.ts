/**
 * metrics.k8s.io for `kubectl top`, from the testbed's cost exporter (its stand-in for cAdvisor,
 * which metrics-server reads on a real cluster): a node's CPU is the rate of
 * `container_cpu_usage_seconds_total{id="/"}` between two readings, its memory the working set.
 * A pod's usage is its node's: the testbed runs one process per workload node. Read on demand
 * only, so an idle front sends nothing.
 */
import { request } from 'undici';
import type { KosObject } from '../../api/meta.js';
import { formatTime } from '../../api/micro-time.js';
import { apiErrors } from '../../api/status.js';
import { parseSamples } from '../exporter/prom-text.js';
import { METRICS } from './extra-groups.js';

const CPU = 'container_cpu_usage_seconds_total';
const MEMORY = 'container_memory_working_set_bytes';
/** A usage window shorter than this is noise; longer than the max is stale. */
const MIN_WINDOW_MS = 1000;
const MAX_WINDOW_MS = 60_000;

export interface Reading {
  atMs: number;
  /** Per node: CPU seconds so far and working set bytes. */
  nodes: Map<string, { cpuSeconds: number; memoryBytes: number }>;
}

export interface NodeUsage {
  cpuCores: number;
  memoryBytes: number;
}

/** One reading of the exporter's text (pure). */
export function readingOf(text: string, atMs: number): Reading {
  const nodes = new Map<string, { cpuSeconds: number; memoryBytes: number }>();
  for (const s of parseSamples(text, (n) => n === CPU || n === MEMORY)) {
    const node = s.labels.node;
    if (node === undefined || s.labels.id !== '/') continue;
    const entry = nodes.get(node) ?? { cpuSeconds: 0, memoryBytes: 0 };
    if (s.name === CPU) entry.cpuSeconds = s.value;
    else entry.memoryBytes = s.value;
    nodes.set(node, entry);
  }
  return { atMs, nodes };
}

/** Usage per node between two readings (pure); a node missing from either is left out. */
export function usageBetween(before: Reading, after: Reading): Map<string, NodeUsage> {
  const seconds = (after.atMs - before.atMs) / 1000;
  const out = new Map<string, NodeUsage>();
  for (const [node, now] of after.nodes) {
    const then = before.nodes.get(node);
    if (then === undefined || seconds <= 0) continue;
    out.set(node, {
      cpuCores: Math.max(0, now.cpuSeconds - then.cpuSeconds) / seconds,
      memoryBytes: now.memoryBytes,
    });
  }
  return out;
}

/** Quantities as metrics-server writes them: nanocores and KiB. */
export function usageQuantities(u: NodeUsage): { cpu: string; memory: string } {
  return { cpu: `${Math.round(u.cpuCores * 1e9)}n`, memory: `${Math.round(u.memoryBytes / 1024)}Ki` };
}

export interface MetricsWindow {
  usage: Map<string, NodeUsage>;
  endMs: number;
  windowMs: number;
}

export class ResourceMetricsSource {
  private baseline: Reading | undefined;

  constructor(
    private readonly exporterUrl: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  private async read(): Promise<Reading> {
    try {
      const res = await request(this.exporterUrl, { headersTimeout: 10_000, bodyTimeout: 10_000 });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
      return readingOf(text, Date.now());
    } catch (e: unknown) {
      throw apiErrors.unavailable(
        `the cost exporter at ${this.exporterUrl} did not answer: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  /** Usage over the window since the last reading (or a fresh one-second window). */
  async current(): Promise<MetricsWindow> {
    let before = this.baseline;
    let after = await this.read();
    if (before === undefined || after.atMs - before.atMs > MAX_WINDOW_MS) {
      before = after;
      await this.sleep(MIN_WINDOW_MS);
      after = await this.read();
    }
    if (after.atMs - before.atMs >= MIN_WINDOW_MS) this.baseline = after;
    return { usage: usageBetween(before, after), endMs: after.atMs, windowMs: after.atMs - before.atMs };
  }
}

function metricsMeta(name: string, namespace: string | undefined, endMs: number): Record<string, unknown> {
  return {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    creationTimestamp: formatTime(endMs),
  };
}

/** NodeMetrics (or their list) of the nodes that have usage; `name` picks one (404 if none). */
export function nodeMetricsJson(w: MetricsWindow, name: string | undefined): string {
  const items = [...w.usage]
    .filter(([node]) => name === undefined || node === name)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([node, u]) => ({
      metadata: metricsMeta(node, undefined, w.endMs),
      timestamp: formatTime(w.endMs),
      window: `${(w.windowMs / 1000).toFixed(3)}s`,
      usage: usageQuantities(u),
    }));
  return single(items, name, 'NodeMetrics', 'nodes');
}

/** PodMetrics of the given pods whose node has usage; `name` picks one (404 if none). */
export function podMetricsJson(
  w: MetricsWindow,
  pods: readonly KosObject[],
  name: string | undefined,
): string {
  const items = pods.flatMap((pod) => {
    const node = typeof pod.spec?.nodeName === 'string' ? pod.spec.nodeName : '';
    const usage = w.usage.get(node);
    if (usage === undefined || (name !== undefined && pod.metadata.name !== name)) return [];
    const containers = Array.isArray(pod.spec?.containers)
      ? (pod.spec.containers as { name?: string }[])
      : [];
    // The process is the pod's one container.
    return [
      {
        metadata: metricsMeta(pod.metadata.name ?? '', pod.metadata.namespace, w.endMs),
        timestamp: formatTime(w.endMs),
        window: `${(w.windowMs / 1000).toFixed(3)}s`,
        containers: containers
          .slice(0, 1)
          .map((c) => ({ name: c.name ?? '', usage: usageQuantities(usage) })),
      },
    ];
  });
  return single(items, name, 'PodMetrics', 'pods');
}

function single(
  items: Record<string, unknown>[],
  name: string | undefined,
  kind: string,
  resource: string,
): string {
  const apiVersion = `${METRICS.group}/${METRICS.version}`;
  if (name === undefined) return JSON.stringify({ kind: `${kind}List`, apiVersion, metadata: {}, items });
  const item = items[0];
  if (item === undefined) throw apiErrors.notFound({ group: METRICS.group, resource, kind, name });
  return JSON.stringify({ kind, apiVersion, ...item });
}
