/** The compare report's plots: latency per cell for both sweeps, and a change heat map. */
import type { CompareCell } from '../model/compare.js';
import { vegaPlot, type DataRow, type Plot } from './plot.js';

/** p below this is marked significant (two-sided, Welch). */
export const SIGNIFICANCE = 0.05;

export function compareLatencyPlot(cells: readonly CompareCell[], names: readonly [string, string]): Plot {
  const rows: DataRow[] = cells
    .filter((c) => c.quantity.startsWith('latency '))
    .flatMap((c) => [
      { cell: c.cell, quantity: c.quantity, sweep: names[0], valueMs: c.a },
      { cell: c.cell, quantity: c.quantity, sweep: names[1], valueMs: c.b },
    ]);
  const body = {
    transform: [{ filter: 'datum.valueMs !== null' }],
    facet: { column: { field: 'quantity', type: 'nominal', title: null } },
    spec: {
      width: 420,
      height: 220,
      mark: { type: 'point', filled: true, size: 70 },
      encoding: {
        y: { field: 'cell', type: 'nominal', title: null, sort: null },
        x: { field: 'valueMs', type: 'quantitative', title: 'latency (ms)', scale: { type: 'log' } },
        color: { field: 'sweep', type: 'nominal', title: 'sweep', sort: [...names] },
      },
    },
  };
  return vegaPlot(
    {
      name: 'compare-latency',
      title: 'Cruise fulfilment latency per cell, both sweeps',
      caption: "Mean over each cell's runs of the per-run percentile.",
      columns: ['cell', 'quantity', 'sweep', 'valueMs'],
      rows,
    },
    body,
  );
}

export function compareChangePlot(cells: readonly CompareCell[]): Plot {
  const rows: DataRow[] = cells.map((c) => ({
    cell: c.cell,
    quantity: c.quantity,
    changePct: c.changeRatio === null ? null : c.changeRatio * 100,
    p: c.p,
    pHolm: c.pHolm,
    label:
      c.changeRatio === null
        ? 'n/a'
        : `${c.changeRatio >= 0 ? '+' : ''}${(c.changeRatio * 100).toFixed(1)}%${c.pHolm !== null && c.pHolm < SIGNIFICANCE ? '*' : ''}`,
  }));
  const maxAbs = Math.max(
    1,
    ...rows.map((r) => (typeof r.changePct === 'number' ? Math.abs(r.changePct) : 0)),
  );
  const enc = {
    x: {
      field: 'cell',
      type: 'nominal',
      title: null,
      sort: null,
      axis: { labelAngle: -30, labelLimit: 260 },
    },
    y: { field: 'quantity', type: 'nominal', title: null, sort: null },
  };
  const body = {
    width: { step: 78 },
    height: { step: 20 },
    layer: [
      {
        mark: 'rect',
        encoding: {
          ...enc,
          color: {
            field: 'changePct',
            type: 'quantitative',
            title: 'change %',
            // Symmetric about 0 so equal changes up and down get equally strong colours.
            scale: { scheme: 'redblue', reverse: true, domain: [-maxAbs, maxAbs] },
          },
        },
      },
      { mark: { type: 'text', fontSize: 10 }, encoding: { ...enc, text: { field: 'label' } } },
    ],
  };
  return vegaPlot(
    {
      name: 'compare-change',
      title: 'Change from A to B per cell (red: B higher, blue: B lower)',
      caption: `* marks p < ${SIGNIFICANCE} by Welch's t-test over the cell's runs (needs >= 2 runs on each side), adjusted by Holm's method for the number of tests; n/a: a side has no data.`,
      columns: ['cell', 'quantity', 'changePct', 'p', 'pHolm', 'label'],
      rows,
    },
    body,
  );
}
