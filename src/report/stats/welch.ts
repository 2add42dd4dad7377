/** Welch's unequal-variance t-test of two samples' means (the compare report's significance). */
import { tTwoSidedP } from './t-distribution.js';

export interface WelchResult {
  t: number;
  df: number;
  /** Two-sided. */
  p: number;
}

function meanVar(xs: readonly number[]): { mean: number; variance: number } {
  const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
  const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

/** Null when a side has fewer than 2 values, or both are constant (no spread to judge by). */
export function welchTTest(a: readonly number[], b: readonly number[]): WelchResult | null {
  if (a.length < 2 || b.length < 2) return null;
  const x = meanVar(a);
  const y = meanVar(b);
  const va = x.variance / a.length;
  const vb = y.variance / b.length;
  if (va + vb === 0) return null;
  const t = (y.mean - x.mean) / Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  return { t, df, p: tTwoSidedP(t, df) };
}
