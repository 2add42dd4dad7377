/**
 * Vega-Lite spec -> SVG (Vega's string renderer, no DOM, no canvas) -> PNG (resvg, a prebuilt
 * rasterizer). Element ids are made unique per plot so many SVGs can be inlined in one page.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** The loader refuses every URL: plots carry their data inline and must never reach a network. */
const offlineLoader = vega.loader();
offlineLoader.load = (uri: string): Promise<string> =>
  Promise.reject(new Error(`report plots load nothing: ${uri}`));

export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none', loader: offlineLoader });
  try {
    const svg = await view.toSVG();
    return prefixIds(svg, idPrefix);
  } finally {
    view.finalize();
  }
}

/** Rewrites id="x", url(#x) and href="#x" to carry the prefix (Vega numbers clips from 1 each time). */
export function prefixIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

/** Twice the SVG's size, so the PNG stays sharp on high-density screens and in documents. */
export function renderPng(svg: string): Uint8Array {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: 'white',
  });
  return resvg.render().asPng();
}
