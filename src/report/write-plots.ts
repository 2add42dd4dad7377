/**
 * Renders plots and writes each as SVG, PNG and CSV into the report's files directory; returns
 * the SVGs for inlining. Files are written atomically, the page last, so a reader never sees a
 * page that links to files not yet there.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { RenderedPlot } from './render/figure.js';
import type { Plot } from './render/plot.js';
import { toCsv } from './render/csv.js';
import { renderPng, renderSvg } from './render/svg.js';

export interface PlotOutput {
  /** Directory for the plot files. */
  dir: string;
  /** Also write PNGs (the slow part). @default true */
  png?: boolean;
}

export async function writePlots(plots: readonly Plot[], out: PlotOutput): Promise<RenderedPlot[]> {
  const rendered: RenderedPlot[] = [];
  for (const plot of plots) {
    const svg = await renderSvg(plot.spec, plot.name);
    await writeFileAtomic(join(out.dir, `${plot.name}.svg`), svg);
    if (out.png !== false) await writeFileAtomic(join(out.dir, `${plot.name}.png`), renderPng(svg));
    await writeFileAtomic(join(out.dir, `${plot.name}.csv`), toCsv(plot.columns, plot.rows));
    rendered.push({ plot, svg });
  }
  return rendered;
}
