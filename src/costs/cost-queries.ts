/**
 * The PromQL the cost collection sends (pure). One set of selectors serves a real cluster
 * (cAdvisor's whole-node series, `id="/"`) and the testbed's exporter (same names and labels);
 * only the network interface filter differs (`lo` on the testbed, e.g. `eth[0-3]` on a cluster).
 */

export const COST_METRICS = {
  cpu: 'container_cpu_usage_seconds_total',
  workingSet: 'container_memory_working_set_bytes',
  netIn: 'container_network_receive_bytes_total',
  netOut: 'container_network_transmit_bytes_total',
} as const;

export type CostMetric = keyof typeof COST_METRICS;

/** Counters are integrated with counter-reset handling; gauges are averaged and maxed. */
export const METRIC_KIND: Readonly<Record<CostMetric, 'counter' | 'gauge'>> = {
  cpu: 'counter',
  workingSet: 'gauge',
  netIn: 'counter',
  netOut: 'counter',
};

export interface SelectorOptions {
  /** A RE2 regex on `interface` for the network series; none means every interface. */
  interfaceFilter?: string | undefined;
}

/** A PromQL string literal: backslashes, quotes and newlines escaped. */
export function promString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** The whole-node series of one cost metric, e.g. `container_cpu_usage_seconds_total{id="/"}`. */
export function costSelector(metric: CostMetric, opts: SelectorOptions = {}): string {
  const matchers = [`id=${promString('/')}`];
  const network = metric === 'netIn' || metric === 'netOut';
  if (network && opts.interfaceFilter !== undefined && opts.interfaceFilter !== '') {
    matchers.push(`interface=~${promString(opts.interfaceFilter)}`);
  }
  return `${COST_METRICS[metric]}{${matchers.join(',')}}`;
}

/** A PromQL duration in whole milliseconds (Prometheus accepts `ms`); at least 1ms. */
export function promDuration(ms: number): string {
  const whole = Math.round(ms);
  if (!Number.isFinite(whole) || whole < 1) throw new RangeError(`bad PromQL duration: ${ms} ms`);
  if (whole % 3_600_000 === 0) return `${whole / 3_600_000}h`;
  if (whole % 60_000 === 0) return `${whole / 60_000}m`;
  if (whole % 1000 === 0) return `${whole / 1000}s`;
  return `${whole}ms`;
}

/** Raw samples of `selector` in [evalMs - rangeMs, evalMs] (an instant query returns a matrix). */
export function rawSamplesQuery(selector: string, rangeMs: number): string {
  return `${selector}[${promDuration(rangeMs)}]`;
}

/** How many raw samples `rawSamplesQuery` would return: sizes the fetch before making it. */
export function sampleCountQuery(selector: string, rangeMs: number): string {
  return `sum(count_over_time(${rawSamplesQuery(selector, rangeMs)}))`;
}
