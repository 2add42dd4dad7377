/**
 * A small model of Grafana dashboards (pure): time-series panels on a 24-column grid, each panel
 * a list of PromQL targets, and template variables. Rendered as Grafana's dashboard JSON, typed
 * with Grafana's own schema types so a misspelt field does not compile.
 */
import type { Dashboard, DataSourceRef, GridPos, Panel, RowPanel, VariableModel } from '@grafana/schema';

export interface Target {
  expr: string;
  legendFormat: string;
}

export interface PanelSpec {
  title: string;
  unit: 's' | 'bytes' | 'Bps' | 'ops' | 'short' | 'percentunit';
  targets: Target[];
  description?: string;
  /** Columns of 24. @default 12 */
  width?: number;
}

export interface VariableSpec {
  name: string;
  label: string;
  /** custom: comma-separated choices, first is current. query: label_values(...) */
  kind: 'custom' | 'query';
  query: string;
  /** @default false */
  includeAll?: boolean;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  variables: VariableSpec[];
  rows: { title: string; panels: PanelSpec[] }[];
}

const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };
const PANEL_HEIGHT = 8;

export function renderDashboard(spec: DashboardSpec): Dashboard {
  const panels: (Panel | RowPanel)[] = [];
  let id = 1;
  let y = 0;
  for (const row of spec.rows) {
    panels.push({
      id: id++,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
      panels: [],
    });
    y += 1;
    let x = 0;
    for (const p of row.panels) {
      const w = p.width ?? 12;
      if (x + w > 24) {
        x = 0;
        y += PANEL_HEIGHT;
      }
      panels.push(renderPanel(p, id++, { h: PANEL_HEIGHT, w, x, y }));
      x += w;
    }
    y += PANEL_HEIGHT;
  }
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['kos', 'kos-test'],
    editable: true,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-1h', to: 'now' },
    refresh: '30s',
    templating: { list: [datasourceVariable(), ...spec.variables.map(renderVariable)] },
    annotations: { list: [] },
    panels,
  };
}

function renderPanel(p: PanelSpec, id: number, gridPos: GridPos): Panel {
  return {
    id,
    type: 'timeseries',
    title: p.title,
    ...(p.description === undefined ? {} : { description: p.description }),
    datasource: DATASOURCE,
    gridPos,
    fieldConfig: {
      defaults: { unit: p.unit, custom: { fillOpacity: 0, showPoints: 'never' } },
      overrides: [],
    },
    options: {
      legend: { displayMode: 'table', placement: 'right', calcs: ['mean', 'max'] },
      tooltip: { mode: 'multi' },
    },
    targets: p.targets.map((t, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: DATASOURCE,
      expr: t.expr,
      legendFormat: t.legendFormat,
      range: true,
    })),
  };
}

function datasourceVariable(): VariableModel {
  return {
    name: 'datasource',
    label: 'Prometheus',
    type: 'datasource',
    query: 'prometheus',
  };
}

function renderVariable(v: VariableSpec): VariableModel {
  if (v.kind === 'custom') {
    const choices = v.query.split(',').map((c) => c.trim());
    const first = choices[0] ?? '';
    return {
      name: v.name,
      label: v.label,
      type: 'custom',
      query: v.query,
      current: { text: first, value: first },
      options: choices.map((c, i) => ({ text: c, value: c, selected: i === 0 })),
    };
  }
  return {
    name: v.name,
    label: v.label,
    type: 'query',
    datasource: DATASOURCE,
    query: { query: v.query, refId: 'variable' },
    multi: v.includeAll === true,
    includeAll: v.includeAll === true,
    allValue: '.+',
    ...(v.includeAll === true ? { current: { text: 'All', value: '$__all' } } : {}),
  };
}
