/** The sweep report's plots, built from the pure model (Vega-Lite specs; no I/O). */
import type { CostMetric } from '../model/cost-metrics.js';
import type { CostPoint } from '../model/cost-series.js';
import type { LatencyPoint } from '../model/latency-series.js';
import { PLOTTED_PERCENTILES } from '../model/latency-series.js';
import type { FactorName } from '../model/report-run.js';
import { PANEL, vegaPlot, type DataRow, type Plot } from './plot.js';

/** A log x axis with a tick at every level of the factor (and nowhere else). */
const xFactor = (factor: FactorName, points: readonly { x: number }[]): Record<string, unknown> => ({
  field: 'x',
  type: 'quantitative',
  title: factor,
  scale: { type: 'log', nice: false, padding: 16 },
  axis: { values: [...new Set(points.map((p) => p.x))].sort((a, b) => a - b), format: '~s' },
});

const panelsOf = (points: readonly { panel: string }[]): string[] => [...new Set(points.map((p) => p.panel))];

/** A row of panels per combination of the factors beyond the line's (none when there is one). */
const panelRow = (points: readonly { panel: string }[]): Record<string, unknown> =>
  panelsOf(points).length > 1
    ? {
        row: {
          field: 'panel',
          type: 'nominal',
          sort: panelsOf(points),
          title: null,
          header: { labelAngle: 0, labelAlign: 'left' },
        },
      }
    : {};

export function latencyPlot(factor: FactorName, points: readonly LatencyPoint[]): Plot {
  const rows: DataRow[] = points.map((p) => ({
    factor: p.factor,
    panel: p.panel,
    series: p.series,
    x: p.x,
    percentile: p.percentile,
    valueMs: p.valueMs,
    runs: p.runs,
    samples: p.samples,
  }));
  const body = {
    facet: {
      ...panelRow(points),
      column: { field: 'percentile', type: 'nominal', sort: [...PLOTTED_PERCENTILES], title: null },
    },
    spec: {
      ...PANEL,
      mark: { type: 'line', point: true },
      encoding: {
        x: xFactor(factor, points),
        y: {
          field: 'valueMs',
          type: 'quantitative',
          title: 'fulfilment latency (ms)',
          scale: { type: 'log' },
        },
        color: {
          field: 'series',
          type: 'nominal',
          title: 'line',
          sort: [...new Set(points.map((p) => p.series))],
        },
        tooltip: [
          { field: 'series' },
          { field: 'x', title: factor },
          { field: 'valueMs' },
          { field: 'samples' },
        ],
      },
    },
  };
  return vegaPlot(
    {
      name: `latency-vs-${factor.toLowerCase()}`,
      title: `Cruise fulfilment latency (from planned) against ${factor}`,
      caption: 'Replicates merged histogram by histogram; both axes logarithmic.',
      columns: ['factor', 'panel', 'series', 'x', 'percentile', 'valueMs', 'runs', 'samples'],
      rows,
    },
    body,
  );
}

/**
 * Numbers the stretches of a line between gaps (points come sorted by purpose, line, x), so a
 * line is drawn in pieces and never joins across a cell without data.
 */
function segments(points: readonly CostPoint[]): string[] {
  let n = 0;
  let prev = '';
  return points.map((p) => {
    const line = `${p.purpose}\u0000${p.panel}\u0000${p.series}`;
    if (line !== prev || p.value === null) n++;
    prev = line;
    return `${p.panel}/${p.series}#${n}`;
  });
}

export function costPlot(factor: FactorName, metric: CostMetric, points: readonly CostPoint[]): Plot {
  const seg = segments(points);
  const purposeOrder = [...new Set(points.map((p) => p.purpose))];
  const rows: DataRow[] = points.map((p, i) => ({
    factor: p.factor,
    metric: p.metric,
    purpose: p.purpose,
    panel: p.panel,
    series: p.series,
    x: p.x,
    value: p.value,
    runsWithData: p.runsWithData,
    runs: p.runs,
    segment: seg[i] ?? '',
  }));
  const y = { field: 'value', type: 'quantitative', title: metric.unit };
  const body = {
    // One row of purposes per panel when there are several; else purposes wrap four to a row.
    ...(panelsOf(points).length > 1
      ? {
          facet: {
            ...panelRow(points),
            column: { field: 'purpose', type: 'nominal', sort: purposeOrder, title: null },
          },
        }
      : { facet: { field: 'purpose', type: 'nominal', title: null, sort: purposeOrder }, columns: 4 }),
    spec: {
      width: 200,
      height: 140,
      layer: [
        {
          // Cells without data are filtered out of the line; `detail` keeps the pieces apart.
          mark: { type: 'line', point: true },
          encoding: {
            x: xFactor(factor, points),
            y,
            color: {
              field: 'series',
              type: 'nominal',
              title: 'line',
              sort: [...new Set(points.map((p) => p.series))],
            },
            detail: { field: 'segment', type: 'nominal' },
            tooltip: [{ field: 'series' }, { field: 'x', title: factor }, { field: 'value' }],
          },
        },
        {
          transform: [{ filter: 'datum.value === null' }],
          mark: { type: 'point', shape: 'cross', color: '#d62728', size: 90, strokeWidth: 2 },
          encoding: {
            x: xFactor(factor, points),
            y: { datum: 0 },
            tooltip: [{ field: 'series' }, { field: 'x' }],
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
  return vegaPlot(
    {
      name: `cost-${metric.key}-vs-${factor.toLowerCase()}`,
      title: `${metric.label} (${metric.unit}) against ${factor}`,
      caption: 'Mean over replicates with data. A red cross on the axis marks a cell without cost data.',
      columns: [
        'factor',
        'metric',
        'purpose',
        'panel',
        'series',
        'x',
        'value',
        'runsWithData',
        'runs',
        'segment',
      ],
      rows,
    },
    body,
  );
}
