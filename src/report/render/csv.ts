/** The CSV beside each plot: its data rows, by column name (the writer is src/util/csv.ts). */
import { csvText } from '../../util/csv.js';
import type { DataRow } from './plot.js';

export function toCsv(columns: readonly string[], rows: readonly DataRow[]): string {
  return csvText(
    columns,
    rows.map((r) => columns.map((c) => r[c])),
  );
}
