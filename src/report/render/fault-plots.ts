/** The fault plots (Vega-Lite, no I/O): recovery time against NNA, and latency over a fault run's cruise. */
import type { FaultModel, FaultTimeline, RecoveryPoint } from '../model/fault-model.js';
import { vegaPlot, type DataRow, type Plot } from './plot.js';

export function recoveryPlot(points: readonly RecoveryPoint[]): Plot {
  const rows: DataRow[] = points.map((p) => ({
    scenario: p.scenario,
    NNA: p.NNA,
    recoveryS: p.recoveryS,
    recovered: p.recovered,
    runs: p.runs,
  }));
  const x = {
    field: 'NNA',
    type: 'quantitative',
    title: 'NNA',
    scale: { nice: false, padding: 16, zero: false },
    axis: { values: [...new Set(points.map((p) => p.NNA))].sort((a, b) => a - b), format: 'd' },
  };
  const body = {
    width: 360,
    height: 220,
    layer: [
      {
        transform: [{ filter: 'datum.recoveryS !== null' }],
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: { field: 'recoveryS', type: 'quantitative', title: 'time to recover (s)' },
          color: { field: 'scenario', type: 'nominal', title: 'fault' },
          tooltip: [
            { field: 'scenario' },
            { field: 'NNA' },
            { field: 'recoveryS' },
            { field: 'recovered' },
            { field: 'runs' },
          ],
        },
      },
      {
        transform: [{ filter: 'datum.recoveryS === null' }],
        mark: { type: 'point', shape: 'cross', color: '#d62728', size: 90, strokeWidth: 2 },
        encoding: {
          x,
          y: { datum: 0 },
          tooltip: [{ field: 'scenario' }, { field: 'NNA' }, { field: 'runs' }],
        },
      },
    ],
  };
  return vegaPlot(
    {
      name: 'recovery-vs-nna',
      title: 'Time to recover from each fault against NNA',
      caption:
        'From injection until 10 consecutive attachments are fulfilled within the pre-fault p99 (mean over the runs that recovered). A red cross on the axis: no run recovered before the cruise ended.',
      columns: ['scenario', 'NNA', 'recoveryS', 'recovered', 'runs'],
      rows,
    },
    body,
  );
}

export function timelinePlot(t: FaultTimeline, name: string): Plot {
  const maxMs = Math.max(1, ...t.points.map((p) => p.latencyMs ?? 0));
  const rows: DataRow[] = [
    ...t.points.map((p) => ({ kind: 'attachment', tS: p.tS, latencyMs: p.latencyMs })),
    ...t.marks.flatMap((m) => [
      { kind: 'fault-start', tS: m.atS, latencyMs: null },
      { kind: 'fault-end', tS: m.endS, latencyMs: null },
      ...(m.recoveredS === null ? [] : [{ kind: 'recovered', tS: m.recoveredS, latencyMs: null }]),
    ]),
  ];
  const x = { field: 'tS', type: 'quantitative', title: 'planned time of the create (s into the cruise)' };
  const y = {
    field: 'latencyMs',
    type: 'quantitative',
    title: 'fulfilment from planned (ms)',
    scale: { type: 'log' },
  };
  const rule = (kind: string, color: string, dash: number[]): Record<string, unknown> => ({
    transform: [{ filter: `datum.kind === '${kind}'` }],
    mark: { type: 'rule', color, strokeWidth: 2, strokeDash: dash },
    encoding: { x, tooltip: [{ field: 'kind' }, { field: 'tS' }] },
  });
  const body = {
    width: 560,
    height: 220,
    layer: [
      {
        transform: [{ filter: "datum.kind === 'attachment' && datum.latencyMs !== null" }],
        mark: { type: 'point', size: 12, filled: true, color: '#4c78a8' },
        encoding: { x, y, tooltip: [{ field: 'tS' }, { field: 'latencyMs' }] },
      },
      {
        transform: [{ filter: "datum.kind === 'attachment' && datum.latencyMs === null" }],
        mark: { type: 'point', shape: 'cross', color: '#d62728', size: 60, strokeWidth: 2 },
        encoding: { x, y: { datum: maxMs * 1.5 }, tooltip: [{ field: 'tS' }] },
      },
      ...(t.baselineP99Ms === null
        ? []
        : [
            {
              mark: { type: 'rule', color: '#888', strokeDash: [2, 2] },
              encoding: { y: { datum: t.baselineP99Ms } },
            },
          ]),
      rule('fault-start', '#d62728', []),
      rule('fault-end', '#d62728', [4, 3]),
      rule('recovered', '#2ca02c', [6, 3]),
    ],
  };
  return vegaPlot(
    {
      name,
      title: `Fulfilment latency over the cruise: ${t.title}`,
      caption:
        'One point per attachment (log scale); red crosses at the top: never fulfilled. Red line: fault injected; dashed red: it ended (SIGCONT, or the network healed); dashed green: recovered; dotted grey: the pre-fault p99.',
      columns: ['kind', 'tS', 'latencyMs'],
      rows,
    },
    body,
  );
}

/** Every fault plot of a report, sweep or lone drive alike. */
export function faultPlots(m: FaultModel): { recovery: Plot[]; timelines: Plot[] } {
  return {
    recovery: m.recovery.length === 0 ? [] : [recoveryPlot(m.recovery)],
    timelines: m.timelines.map((t, k) => timelinePlot(t, `fault-timeline-${k}`)),
  };
}
