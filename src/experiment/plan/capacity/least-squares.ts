/**
 * Least squares with coefficients that cannot be negative (pure): solve the normal equations;
 * drop any column the earlier ones make redundant, and the most negative coefficient's column
 * while any is negative (a cost below zero is not a cost), then solve again.
 */

/** Solves the square system m x = v by Gaussian elimination; undefined when it is singular. */
function solve(m: number[][], v: number[]): number[] | undefined {
  const n = v.length;
  const a = m.map((row, i) => [...row, v[i] ?? 0]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++)
      if (Math.abs(a[r]?.[col] ?? 0) > Math.abs(a[pivot]?.[col] ?? 0)) pivot = r;
    const pr = a[pivot] as number[];
    // Columns are scaled to at most 1 before this, so a tiny pivot means a redundant column.
    if (Math.abs(pr[col] ?? 0) < 1e-9) return undefined;
    [a[col], a[pivot]] = [pr, a[col] as number[]];
    const p = a[col] as number[];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const row = a[r] as number[];
      const f = (row[col] ?? 0) / (p[col] ?? 1);
      for (let k = col; k <= n; k++) row[k] = (row[k] ?? 0) - f * (p[k] ?? 0);
    }
  }
  return a.map((row, i) => (row[n] ?? 0) / (row[i] ?? 1));
}

/** Ordinary least squares over the given columns; undefined when they are linearly dependent. */
function leastSquares(
  rows: readonly number[][],
  y: readonly number[],
  cols: readonly number[],
): number[] | undefined {
  const scale = cols.map((c) => Math.max(...rows.map((r) => Math.abs(r[c] ?? 0))) || 1);
  const x = rows.map((r) => cols.map((c, j) => (r[c] ?? 0) / (scale[j] ?? 1)));
  const ata = cols.map((_, i) => cols.map((__, j) => x.reduce((s, r) => s + (r[i] ?? 0) * (r[j] ?? 0), 0)));
  const aty = cols.map((_, i) => x.reduce((s, r, k) => s + (r[i] ?? 0) * (y[k] ?? 0), 0));
  const b = solve(ata, aty);
  return b?.map((v, j) => v / (scale[j] ?? 1));
}

/**
 * Coefficients for every column of rows (0 for a dropped one). A column the earlier ones make
 * redundant (e.g. a count that was the same in every row, beside the constant) is dropped.
 */
export function nonNegativeLeastSquares(rows: readonly number[][], y: readonly number[]): number[] {
  const width = rows[0]?.length ?? 0;
  let cols: number[] = [];
  for (let c = 0; c < width; c++) {
    if (rows.every((r) => (r[c] ?? 0) === 0)) continue;
    if (leastSquares(rows, y, [...cols, c]) !== undefined) cols.push(c);
  }
  for (;;) {
    const b = cols.length === 0 ? [] : (leastSquares(rows, y, cols) ?? []);
    const worst = b.reduce((w, v, i) => (v < (b[w] ?? 0) ? i : w), 0);
    if (b.length > 0 && (b[worst] ?? 0) < 0) {
      cols = cols.filter((_, i) => i !== worst);
      continue;
    }
    const out = new Array<number>(width).fill(0);
    cols.forEach((c, i) => (out[c] = b[i] ?? 0));
    return out;
  }
}
