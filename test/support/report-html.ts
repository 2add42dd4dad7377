/** Reads the report's tables back out of its HTML (the report writes exact values in data-value). */

export interface HtmlCell {
  text: string;
  value: number | null;
  cls: string;
}

export interface HtmlRow {
  attrs: Record<string, string>;
  cells: HtmlCell[];
}

function attrsOf(s: string): Record<string, string> {
  return Object.fromEntries([...s.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

const unescape = (s: string): string =>
  s
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** The body rows of the table with this id. */
export function tableRows(html: string, id: string): HtmlRow[] {
  const start = html.indexOf(`<table id="${id}"`);
  if (start < 0) throw new Error(`no table #${id}`);
  const end = html.indexOf('</table>', start);
  const body = html.slice(html.indexOf('<tbody>', start), end);
  return [...body.matchAll(/<tr([^>]*)>(.*?)<\/tr>/gs)].map((m) => ({
    attrs: attrsOf(m[1] ?? ''),
    cells: [...(m[2] ?? '').matchAll(/<td([^>]*)>(.*?)<\/td>/gs)].map((c) => {
      const a = attrsOf(c[1] ?? '');
      return {
        text: unescape(c[2] ?? ''),
        value: a['data-value'] === undefined ? null : Number(a['data-value']),
        cls: a.class ?? '',
      };
    }),
  }));
}

/** The header texts of the table with this id. */
export function tableHeaders(html: string, id: string): string[] {
  const start = html.indexOf(`<table id="${id}"`);
  const head = html.slice(start, html.indexOf('</thead>', start));
  return [...head.matchAll(/<th>(.*?)<\/th>/g)].map((m) => unescape(m[1] ?? ''));
}

/** Row cells keyed by header. */
export function rowsByHeader(
  html: string,
  id: string,
): { attrs: Record<string, string>; byHeader: Map<string, HtmlCell> }[] {
  const headers = tableHeaders(html, id);
  return tableRows(html, id).map((r) => ({
    attrs: r.attrs,
    byHeader: new Map(r.cells.map((c, i) => [headers[i] ?? String(i), c])),
  }));
}
