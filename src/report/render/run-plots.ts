/** The per-run report's plots: latency histogram, CDFs, and rate over time (or per phase). */
import type { RunModel } from '../model/run-model.js';
import { cdfPlots } from './cdf-plots.js';
import { vegaPlot, type DataRow, type Plot } from './plot.js';

function histogramPlot(m: RunModel): Plot {
  const rows: DataRow[] = m.histogram.map((b) => ({ lowMs: b.lowMs, highMs: b.highMs, count: b.count }));
  const body = {
    width: 520,
    height: 240,
    mark: { type: 'rect', color: '#4c78a8' },
    encoding: {
      x: {
        field: 'lowMs',
        type: 'quantitative',
        title: 'fulfilment latency from planned (ms)',
        scale: { type: 'log' },
      },
      x2: { field: 'highMs' },
      y: { field: 'count', type: 'quantitative', title: 'attachments' },
      tooltip: [{ field: 'lowMs' }, { field: 'highMs' }, { field: 'count' }],
    },
  };
  return vegaPlot(
    {
      name: 'latency-histogram',
      title: 'Cruise fulfilment latency histogram',
      caption: 'Log-spaced bins (25 per decade) summed from the HDR buckets.',
      columns: ['lowMs', 'highMs', 'count'],
      rows,
    },
    body,
  );
}

function ratesPlot(m: RunModel): Plot {
  if (m.rates !== null) {
    const rows: DataRow[] = m.rates.map((r) => ({ t: r.t, kind: r.kind, perSecond: r.perSecond }));
    const body = {
      width: 620,
      height: 220,
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'seconds since the first create' },
        y: { field: 'perSecond', type: 'quantitative', title: 'per second' },
        color: { field: 'kind', type: 'nominal', title: null },
      },
    };
    return vegaPlot(
      {
        name: 'rate-over-time',
        title: 'Creates sent and attachments fulfilled per second',
        caption: "From the driver's per-attachment CSV.",
        columns: ['t', 'kind', 'perSecond'],
        rows,
      },
      body,
    );
  }
  const origin = m.phases[0]?.startMs ?? 0;
  const rows: DataRow[] = m.phases.flatMap((p) => [
    {
      phase: p.phase,
      kind: 'target',
      startS: (p.startMs - origin) / 1000,
      endS: (p.endMs - origin) / 1000,
      rate: p.summary.targetRate,
    },
    {
      phase: p.phase,
      kind: 'achieved',
      startS: (p.startMs - origin) / 1000,
      endS: (p.endMs - origin) / 1000,
      rate: p.summary.achievedRate,
    },
  ]);
  const body = {
    width: 620,
    height: 220,
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 3 },
        encoding: {
          x: { field: 'startS', type: 'quantitative', title: 'seconds since the run started' },
          x2: { field: 'endS' },
          y: { field: 'rate', type: 'quantitative', title: 'ops/s' },
          color: { field: 'kind', type: 'nominal', title: null },
          strokeDash: { field: 'kind', type: 'nominal', legend: null },
          tooltip: [{ field: 'phase' }, { field: 'kind' }, { field: 'rate' }],
        },
      },
      {
        transform: [{ filter: "datum.kind === 'achieved'" }],
        mark: { type: 'text', dy: -8, fontSize: 11 },
        encoding: {
          x: { field: 'startS', type: 'quantitative' },
          y: { field: 'rate', type: 'quantitative' },
          text: { field: 'phase' },
        },
      },
    ],
  };
  return vegaPlot(
    {
      name: 'rate-per-phase',
      title: 'Ops per second in each phase: target and achieved',
      caption:
        'No per-attachment CSV beside the summary, so rates are per phase (run the driver with --per-attachment-csv for rate over time).',
      columns: ['phase', 'kind', 'startS', 'endS', 'rate'],
      rows,
    },
    body,
  );
}

export function runPlots(m: RunModel): Plot[] {
  const cdfs = cdfPlots(
    m.cdfs.map((c) => ({ runId: c.kind, label: c.kind, points: c.points })),
    { stem: 'latency-cdf', line: 'latency (cruise)' },
  );
  return [
    ...(m.histogram.length > 0 ? [histogramPlot(m)] : []),
    ...(m.cdfs.length > 0 ? cdfs : []),
    ratesPlot(m),
  ];
}
