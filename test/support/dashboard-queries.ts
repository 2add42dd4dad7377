/**
 * Every PromQL query of the shipped dashboards, with Grafana's variables resolved the way
 * Grafana would on first load (custom: the current choice; "All": its allValue;
 * $__rate_interval: a fixed window), so the queries can be parsed and run outside Grafana.
 */
import { renderDashboards } from '../../src/metrics-config/grafana/dashboards.js';

export interface DashboardQuery {
  dashboard: string;
  panel: string;
  expr: string;
}

interface Variable {
  name: string;
  type: string;
  current?: { value?: string };
  allValue?: string;
  includeAll?: boolean;
  query?: string | { query?: string };
}

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}

/** `overrides` picks other values for variables, e.g. { interface: 'lo' } for testbed data. */
export function dashboardQueries(overrides: Record<string, string> = {}): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const d of renderDashboards()) {
    const json = JSON.parse(d.json) as { templating: { list: Variable[] }; panels: Panel[] };
    const values = new Map<string, string>([['__rate_interval', '1m']]);
    for (const v of json.templating.list) {
      if (v.type === 'custom') values.set(v.name, v.current?.value ?? '');
      if (v.type === 'query') values.set(v.name, v.includeAll === true ? (v.allValue ?? '.+') : '.+');
    }
    for (const [name, value] of Object.entries(overrides)) values.set(name, value);
    const resolve = (expr: string): string =>
      expr.replace(/\$(\w+)/g, (whole, name: string) => values.get(name) ?? whole);
    for (const v of json.templating.list) {
      // label_values(<selector>, label) is Grafana's; its selector is PromQL.
      const m =
        v.type === 'query'
          ? /^label_values\((.+),\s*\w+\)$/.exec(typeof v.query === 'object' ? (v.query.query ?? '') : '')
          : null;
      if (m?.[1] !== undefined)
        out.push({ dashboard: d.file, panel: `variable ${v.name}`, expr: resolve(m[1]) });
    }
    for (const p of json.panels) {
      for (const t of p.targets ?? []) out.push({ dashboard: d.file, panel: p.title, expr: resolve(t.expr) });
    }
  }
  return out;
}
