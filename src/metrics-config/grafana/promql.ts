/**
 * PromQL shared by the dashboards (pure). The cost queries use the whole-node series (`id="/"`)
 * and the `node` / `purpose` labels, which cAdvisor's series get from our relabeling on a cluster
 * and the testbed's exporter serves itself, so one query serves both.
 */

/** Grafana's own step-aware window; resolved to a fixed window when a query is checked. */
export const RATE_WINDOW = '$__rate_interval';

export type Matchers = Readonly<Record<string, string>>;

/** `name{a="x",b=~"y"}`: values starting with `~` are regex matches. */
export function selector(name: string, matchers: Matchers = {}): string {
  const parts = Object.entries(matchers).map(([k, v]) =>
    v.startsWith('~') ? `${k}=~"${v.slice(1)}"` : `${k}="${v}"`,
  );
  return parts.length === 0 ? name : `${name}{${parts.join(',')}}`;
}

export function rate(name: string, matchers: Matchers = {}): string {
  return `rate(${selector(name, matchers)}[${RATE_WINDOW}])`;
}

/** `sum by (labels) (expr)`, or `sum(expr)` when no labels are kept. */
export function sumBy(labels: readonly string[], expr: string): string {
  return labels.length === 0 ? `sum(${expr})` : `sum by (${labels.join(', ')}) (${expr})`;
}

/** The q-quantile of a histogram family, merged over every series except `by`. */
export function histogramQuantile(
  q: number,
  family: string,
  by: readonly string[] = [],
  matchers: Matchers = {},
): string {
  return `histogram_quantile(${q}, ${sumBy(['le', ...by], rate(`${family}_bucket`, matchers))})`;
}

/** Mean of a histogram family over the window: rate(sum) / rate(count). */
export function histogramMean(family: string, by: readonly string[] = [], matchers: Matchers = {}): string {
  return `${sumBy(by, rate(`${family}_sum`, matchers))} / ${sumBy(by, rate(`${family}_count`, matchers))}`;
}

/** Whole-node cost selectors, filtered by the dashboards' `$purpose` (and `$interface`) variables. */
export const WHOLE_NODE: Matchers = { id: '/', purpose: '~$purpose' };
export const WHOLE_NODE_NET: Matchers = { ...WHOLE_NODE, interface: '~$interface' };
