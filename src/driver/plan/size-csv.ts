/**
 * The `--estimate` outputs (pure): the size CSV (`i,size`, one row per VN) and the outline CSV,
 * which keeps only the first and last row of each run of equal sizes, so a plot of a long tail
 * of size-1 VNs stays small.
 */
import { csvText } from '../../util/csv.js';

export function sizeCsv(sizes: readonly number[]): string {
  return csvText(
    ['i', 'size'],
    sizes.map((s, k) => [k + 1, s]),
  );
}

export function outlineCsv(sizes: readonly number[]): string {
  const rows: number[][] = [];
  sizes.forEach((s, k) => {
    const interior = k > 0 && k < sizes.length - 1 && sizes[k - 1] === s && sizes[k + 1] === s;
    if (!interior) rows.push([k + 1, s]);
  });
  return csvText(['i', 'size'], rows);
}
