/** Latency CDF and tail plots, one line per run (sweep report) or per latency kind (run report). */
import type { TopLevelSpec } from 'vega-lite';
import type { RunCdf } from '../model/sweep-model.js';
import { PLOT_CONFIG, type DataRow, type Plot } from './plot.js';

export interface CdfPlotOptions {
  /** @default 'latency-cdf' */
  stem: string;
  /** What one line is (legend title and plot titles). @default 'run' */
  line: string;
}

export function cdfPlots(
  cdfs: readonly RunCdf[],
  o: CdfPlotOptions = { stem: 'latency-cdf', line: 'run' },
): Plot[] {
  const stem = o.stem;
  const rows: DataRow[] = cdfs.flatMap((c) =>
    c.points.map((p) => ({ run: c.label, valueMs: p.valueMs, fraction: p.fraction, tail: 1 - p.fraction })),
  );
  const color = {
    field: 'run',
    type: 'nominal',
    title: o.line,
    legend: { columns: 1, symbolLimit: 40 },
    // Legend in run order (or latency-kind order), not alphabetical.
    sort: cdfs.map((c) => c.label),
  };
  const x = {
    field: 'valueMs',
    type: 'quantitative',
    title: 'latency (ms)',
    scale: { type: 'log' },
  };
  const columns = ['run', 'valueMs', 'fraction', 'tail'];
  const cdf = {
    config: PLOT_CONFIG,
    width: 520,
    height: 260,
    data: { values: rows },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: { x, y: { field: 'fraction', type: 'quantitative', title: 'fraction <= latency' }, color },
  } as unknown as TopLevelSpec;
  const tail = {
    config: PLOT_CONFIG,
    width: 520,
    height: 260,
    data: { values: rows },
    transform: [{ filter: 'datum.tail > 0' }],
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x,
      y: { field: 'tail', type: 'quantitative', title: 'fraction > latency', scale: { type: 'log' } },
      color,
    },
  } as unknown as TopLevelSpec;
  return [
    {
      name: stem,
      title: `Latency CDF per ${o.line}`,
      caption: 'Exact at HDR bucket edges.',
      columns,
      rows,
      spec: cdf,
    },
    {
      name: `${stem}-tail`,
      title: `Latency tail per ${o.line} (1 - CDF, log)`,
      caption: 'The tail: 0.01 on the y axis is the p99, 0.001 the p99.9.',
      columns,
      rows,
      spec: tail,
    },
  ];
}
