/**
 * The one CSV writer and reader (pure), RFC 4180 quoting with `\n` line ends (what the original
 * driver's files and Unix tools use). A missing or non-finite value is an empty field, never 0.
 */

export type CsvCell = string | number | boolean | null | undefined;

export function csvField(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' && !Number.isFinite(v)) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells: readonly CsvCell[]): string {
  return cells.map(csvField).join(',');
}

/** A whole file: the header, then one line per row, each ended by `\n`. */
export function csvText(header: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  const lines = [csvLine(header)];
  for (const r of rows) lines.push(csvLine(r));
  return `${lines.join('\n')}\n`;
}

/** Parses what csvText writes (and `\r\n` files), one object per row keyed by the header. */
export function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = [];
  let row: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cur);
      cur = '';
    } else if (ch === '\n') {
      row.push(cur.replace(/\r$/, ''));
      records.push(row);
      row = [];
      cur = '';
    } else cur += ch;
  }
  if (cur !== '' || row.length > 0) records.push([...row, cur]);
  const [header, ...body] = records;
  if (header === undefined) return [];
  return body.map((r) => Object.fromEntries(header.map((h, j) => [h, r[j] ?? ''])));
}
