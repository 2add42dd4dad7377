/**
 * A plot as the report writes it: a Vega-Lite spec with its data inline (so rendering needs no
 * network), and the same rows as the CSV written beside the SVG and PNG.
 */
import type { TopLevelSpec } from 'vega-lite';

export type CsvValue = string | number | null;
export type DataRow = Record<string, CsvValue>;

export interface Plot {
  /** File stem, unique within a report: kebab-case. */
  name: string;
  title: string;
  /** One line under the plot saying how to read it. */
  caption: string;
  /** The plotted rows, in the column order of `columns`. */
  columns: readonly string[];
  rows: readonly DataRow[];
  spec: TopLevelSpec;
}

/** Shared look: a plain font stack every machine has, readable sizes. */
export const PLOT_CONFIG = {
  font: 'DejaVu Sans, Liberation Sans, Arial, sans-serif',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 360 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' as const },
  range: { category: { scheme: 'tableau10' } },
};

export const PANEL = { width: 260, height: 180 };

/**
 * A plot from what it shows and the Vega-Lite body that draws it: the shared look and the rows as
 * inline data are added here, once, so every plot file writes only its marks and encodings.
 */
export function vegaPlot(p: Omit<Plot, 'spec'>, body: Record<string, unknown>): Plot {
  return {
    ...p,
    spec: { config: PLOT_CONFIG, data: { values: p.rows }, ...body } as unknown as TopLevelSpec,
  };
}
