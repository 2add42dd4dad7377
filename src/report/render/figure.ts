/** A plot as it appears in the page: inline SVG, caption, and links to its files beside the page. */
import { esc } from './html.js';
import type { Plot } from './plot.js';

export interface RenderedPlot {
  plot: Plot;
  svg: string;
}

export function figure(r: RenderedPlot, filesDir: string): string {
  const n = r.plot.name;
  const base = `${encodeURI(filesDir)}/${n}`;
  return `<figure id="plot-${n}" data-plot="${n}" data-rows="${r.plot.rows.length}">
<h3>${esc(r.plot.title)}</h3>
${r.svg}
<figcaption>${esc(r.plot.caption)} <span class="files">Files: <a href="${base}.svg">SVG</a>
<a href="${base}.png">PNG</a> <a href="${base}.csv">data (CSV)</a></span></figcaption>
</figure>`;
}

export function noPlots(why: string): string {
  return `<p class="gap">${esc(why)}</p>`;
}
