/**
 * The cost exporter's /metrics body (pure): cAdvisor's metric names with the whole-node
 * `id="/"`, so one PromQL serves a real cluster and the testbed, plus `node` and `purpose`
 * (which Prometheus relabelling adds on a cluster), `hollow="true"` for nodes sharing a
 * process, and the exporter's own health.
 *
 * The network series carry `interface="lo"`: testbed traffic is loopback traffic. A query that
 * filters a cluster's interfaces (`interface=~"eth[0-3]"`) must take that filter as a parameter.
 */
import type { AccountingMode } from './cgroup-accounting.js';
import type { NodeCost } from './node-costs.js';
import { renderFamilies, type Labels, type MetricFamily } from './prom-text.js';

export const ERROR_REASONS = ['ready_file', 'duplicate_node', 'process', 'network', 'scrape'] as const;
export type ErrorReason = (typeof ERROR_REASONS)[number];

export interface MachineFacts {
  cpuCores: number;
  memoryBytes: number;
}

export interface ExporterHealth {
  mode: AccountingMode;
  /** Cumulative, by reason. */
  errors: Readonly<Record<ErrorReason, number>>;
  /** Of the previous scrape (0 before the first one ends). */
  lastScrapeSeconds: number;
  /**
   * Cumulative CPU seconds of the exporter's process while a scrape was under way: the exporter's
   * own cost, an upper bound when it shares its process (the runner's) with other work.
   */
  scrapeCpuSeconds: number;
  processes: number;
}

/** @default for renderCostMetrics' interfaceName */
export const TESTBED_INTERFACE = 'lo';

export function renderCostMetrics(
  nodes: readonly NodeCost[],
  machine: MachineFacts,
  health: ExporterHealth,
  interfaceName = TESTBED_INTERFACE,
): string {
  const sorted = [...nodes].sort(byNodeName);
  const labels = (n: NodeCost): Labels => ({
    id: '/',
    node: n.node,
    purpose: n.purpose,
    ...(n.hollow ? { hollow: 'true' } : {}),
  });
  const perNode = (pick: (n: NodeCost) => number): MetricFamily['samples'] =>
    sorted.map((n) => ({ labels: labels(n), value: pick(n) }));
  const withNetwork = sorted.filter((n) => n.network !== undefined);
  const perInterface = (pick: (n: NodeCost) => number): MetricFamily['samples'] =>
    withNetwork.map((n) => ({ labels: { ...labels(n), interface: interfaceName }, value: pick(n) }));
  const families: MetricFamily[] = [
    gauge('machine_cpu_cores', 'Number of logical CPU cores.', [{ labels: {}, value: machine.cpuCores }]),
    gauge('machine_memory_bytes', 'Amount of memory installed on the machine.', [
      { labels: {}, value: machine.memoryBytes },
    ]),
    counter(
      'container_cpu_usage_seconds_total',
      'Cumulative cpu time consumed in seconds.',
      perNode((n) => n.cpuSeconds),
    ),
    gauge(
      'container_memory_working_set_bytes',
      'Current working set in bytes.',
      perNode((n) => n.workingSetBytes),
    ),
    gauge(
      'container_memory_rss',
      'Size of RSS in bytes.',
      perNode((n) => n.rssBytes),
    ),
    counter(
      'container_network_receive_bytes_total',
      'Cumulative count of bytes received.',
      perInterface((n) => n.network?.receivedBytes ?? 0),
    ),
    counter(
      'container_network_transmit_bytes_total',
      'Cumulative count of bytes transmitted.',
      perInterface((n) => n.network?.sentBytes ?? 0),
    ),
    counter(
      'kos_testbed_exporter_errors_total',
      'Nodes or readings skipped by the cost exporter, by reason.',
      ERROR_REASONS.map((reason) => ({ labels: { reason }, value: health.errors[reason] })),
    ),
    gauge('kos_testbed_exporter_scrape_duration_seconds', 'How long the previous scrape took.', [
      { labels: {}, value: health.lastScrapeSeconds },
    ]),
    counter(
      'kos_testbed_exporter_scrape_cpu_seconds_total',
      "CPU seconds of the exporter's process while it scraped (an upper bound of its own cost).",
      [{ labels: {}, value: health.scrapeCpuSeconds }],
    ),
    gauge('kos_testbed_exporter_processes', 'Testbed processes read in this scrape.', [
      { labels: {}, value: health.processes },
    ]),
    gauge('kos_testbed_exporter_accounting_mode', 'Where CPU and memory figures come from.', [
      { labels: { mode: health.mode }, value: 1 },
    ]),
  ];
  return renderFamilies(families);
}

/** comp2 before comp10: by the name's letters, then its number. */
function byNodeName(a: NodeCost, b: NodeCost): number {
  const [pa, na] = splitName(a.node);
  const [pb, nb] = splitName(b.node);
  return pa < pb ? -1 : pa > pb ? 1 : na - nb || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0);
}

function splitName(name: string): [string, number] {
  const m = /^(.*?)(\d+)$/.exec(name);
  return m?.[1] === undefined || m[2] === undefined ? [name, -1] : [m[1], Number(m[2])];
}

function counter(name: string, help: string, samples: MetricFamily['samples']): MetricFamily {
  return { name, help, type: 'counter', samples };
}

function gauge(name: string, help: string, samples: MetricFamily['samples']): MetricFamily {
  return { name, help, type: 'gauge', samples };
}
