/** Latency CDF and tail plots, one line per run (sweep report) or per latency kind (run report). */
import type { RunCdf } from '../model/sweep-model.js';
import { vegaPlot, type DataRow, type Plot } from './plot.js';

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
    width: 520,
    height: 260,
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: { x, y: { field: 'fraction', type: 'quantitative', title: 'fraction <= latency' }, color },
  };
  const tail = {
    width: 520,
    height: 260,
    transform: [{ filter: 'datum.tail > 0' }],
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x,
      y: { field: 'tail', type: 'quantitative', title: 'fraction > latency', scale: { type: 'log' } },
      color,
    },
  };
  return [
    vegaPlot(
      {
        name: stem,
        title: `Latency CDF per ${o.line}`,
        caption: 'Exact at HDR bucket edges.',
        columns,
        rows,
      },
      cdf,
    ),
    vegaPlot(
      {
        name: `${stem}-tail`,
        title: `Latency tail per ${o.line} (1 - CDF, log)`,
        caption: 'The tail: 0.01 on the y axis is the p99, 0.001 the p99.9.',
        columns,
        rows,
      },
      tail,
    ),
  ];
}
