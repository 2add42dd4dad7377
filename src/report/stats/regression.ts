/**
 * Ordinary least squares with standard errors: y = b0 + sum_j b_j x_j. Used on logs, so each b_j
 * is the exponent k of cost ~ factor^k with the other factors held fixed. Pure.
 */
import { tQuantile } from './t-distribution.js';

export interface Coefficient {
  estimate: number;
  /** Null when there are no residual degrees of freedom. */
  standardError: number | null;
  /** 95% interval from the t distribution with the residual degrees of freedom. */
  low: number | null;
  high: number | null;
}

export interface Fit {
  intercept: number;
  /** One per column of x, in order. */
  coefficients: Coefficient[];
  /** n - columns - 1. */
  residualDf: number;
  rSquared: number | null;
}

/** A dense square matrix in one array (row-major); indices are always in range here. */
class Square {
  readonly v: Float64Array;
  constructor(readonly n: number) {
    this.v = new Float64Array(n * n);
  }
  get(i: number, j: number): number {
    return this.v[i * this.n + j] ?? NaN;
  }
  set(i: number, j: number, x: number): void {
    this.v[i * this.n + j] = x;
  }
}

/** Inverse by Gauss-Jordan with partial pivoting; null when (nearly) singular. */
function invert(m: Square): Square | null {
  const n = m.n;
  const a = new Square(n);
  a.v.set(m.v);
  const inv = new Square(n);
  for (let i = 0; i < n; i++) inv.set(i, i, 1);
  const scale = Math.max(1, ...m.v.map(Math.abs));
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a.get(r, col)) > Math.abs(a.get(pivot, col))) pivot = r;
    if (Math.abs(a.get(pivot, col)) < 1e-10 * scale) return null;
    for (let j = 0; j < n; j++) {
      const [x, y] = [a.get(col, j), a.get(pivot, j)];
      a.set(col, j, y);
      a.set(pivot, j, x);
      const [u, w] = [inv.get(col, j), inv.get(pivot, j)];
      inv.set(col, j, w);
      inv.set(pivot, j, u);
    }
    const p = a.get(col, col);
    for (let j = 0; j < n; j++) {
      a.set(col, j, a.get(col, j) / p);
      inv.set(col, j, inv.get(col, j) / p);
    }
    for (let r = 0; r < n; r++) {
      const f = a.get(r, col);
      if (r === col || f === 0) continue;
      for (let j = 0; j < n; j++) {
        a.set(r, j, a.get(r, j) - f * a.get(col, j));
        inv.set(r, j, inv.get(r, j) - f * inv.get(col, j));
      }
    }
  }
  return inv;
}

/** Least-squares fit of y on the columns of x (rows are observations); null if not identifiable. */
export function leastSquares(x: readonly (readonly number[])[], y: readonly number[]): Fit | null {
  const n = y.length;
  const k = (x[0]?.length ?? 0) + 1;
  if (n < k || x.length !== n) return null;
  const design = x.map((row) => [1, ...row]);
  const xtx = new Square(k);
  for (const row of design)
    row.forEach((ri, i) => {
      row.forEach((rj, j) => {
        xtx.set(i, j, xtx.get(i, j) + ri * rj);
      });
    });
  const inv = invert(xtx);
  if (inv === null) return null;
  const xty = Array.from({ length: k }, (_, i) =>
    design.reduce((s, row, r) => s + (row[i] ?? 0) * (y[r] ?? 0), 0),
  );
  const beta = Array.from({ length: k }, (_, i) => xty.reduce((s, v, j) => s + inv.get(i, j) * v, 0));
  const rss = design.reduce((s, row, r) => {
    const e = (y[r] ?? 0) - row.reduce((acc, v, j) => acc + v * (beta[j] ?? 0), 0);
    return s + e * e;
  }, 0);
  const mean = y.reduce((s, v) => s + v, 0) / n;
  const tss = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  const df = n - k;
  const t = df > 0 ? tQuantile(0.975, df) : null;
  const sigma2 = df > 0 ? rss / df : null;
  const coefficients = beta.slice(1).map((estimate, j): Coefficient => {
    if (sigma2 === null || t === null) return { estimate, standardError: null, low: null, high: null };
    const se = Math.sqrt(Math.max(0, sigma2 * inv.get(j + 1, j + 1)));
    return { estimate, standardError: se, low: estimate - t * se, high: estimate + t * se };
  });
  return {
    intercept: beta[0] ?? NaN,
    coefficients,
    residualDf: df,
    rSquared: tss > 0 ? Math.max(0, 1 - rss / tss) : null,
  };
}
