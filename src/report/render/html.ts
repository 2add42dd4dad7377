/**
 * HTML building blocks for the self-contained reports: escaping, number cells that carry their
 * exact value (data-value) beside the rounded text, tables, and the page shell with inline CSS.
 */

export function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Four significant digits; exponent form outside 0.001 .. 1e7; integers as they are. */
export function formatNumber(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e7)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

export const GAP = '<span class="gap" title="no data">n/a</span>';

/** A table cell; numbers carry data-value for exact reading, nulls show as a marked gap. */
export function cell(v: string | number | null, cls = ''): string {
  const c = cls === '' ? '' : ` class="${cls}"`;
  if (v === null) return `<td${c === '' ? ' class="gap-cell"' : c}>${GAP}</td>`;
  if (typeof v === 'number') return `<td${c} data-value="${v}">${formatNumber(v)}</td>`;
  return `<td${c}>${esc(v)}</td>`;
}

export function table(id: string, headers: readonly string[], rows: readonly string[]): string {
  const head = headers.map((h) => `<th>${esc(h)}</th>`).join('');
  return `<div class="scroll"><table id="${id}"><thead><tr>${head}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table></div>`;
}

export function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${esc(title)}</h2>\n${body}\n</section>`;
}

export function keyValues(id: string, pairs: readonly (readonly [string, string])[]): string {
  const rows = pairs.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`);
  return `<table id="${id}" class="kv"><tbody>${rows.join('')}</tbody></table>`;
}

const CSS = `
body{font-family:"DejaVu Sans","Liberation Sans",Arial,sans-serif;margin:24px auto;max-width:1400px;
 padding:0 16px;color:#222;line-height:1.4}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}
h3{font-size:15px;margin:20px 0 4px}
nav a{margin-right:14px}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ddd;padding:3px 7px;text-align:right}
th{background:#f5f5f5}td:first-child,th:first-child{text-align:left;white-space:nowrap}
table.kv th{text-align:left}table.kv td{text-align:left}
.scroll{overflow-x:auto}
.gap{color:#b00;font-style:italic}.gap-cell{background:#fff0f0}
tr.failed td{background:#fde8e8}tr.suspect td{background:#fff8e1}
.warn{color:#8a4b00}.ok{color:#2a7a2a}.bad{color:#b00}
figure{margin:14px 0 24px}figcaption{font-size:12px;color:#555}
figure .files{font-size:12px}
pre{background:#f7f7f7;border:1px solid #ddd;padding:8px;overflow-x:auto;font-size:12px}
ul.warnings li{margin:2px 0}
`;

/** A whole page: everything inline, nothing fetched (the report must open offline). */
export function page(title: string, nav: readonly [string, string][], body: string): string {
  const links = nav.map(([id, label]) => `<a href="#${id}">${esc(label)}</a>`).join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body><h1>${esc(title)}</h1><nav>${links}</nav>
${body}
</body></html>
`;
}
