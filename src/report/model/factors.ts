/** Which factors vary in a sweep, and how runs group into cells and plot lines. */
import { FACTOR_NAMES, type FactorName, type Factors, type ReportRun } from './report-run.js';

export function levelsOf(runs: readonly ReportRun[], f: FactorName): number[] {
  return [...new Set(runs.map((r) => r.factors[f]))].sort((a, b) => a - b);
}

/** Factors with more than one level, in the seed's order. */
export function varyingFactors(runs: readonly ReportRun[]): FactorName[] {
  return FACTOR_NAMES.filter((f) => levelsOf(runs, f).length > 1);
}

/** "NCA=600 POP=300" from the given factors (or "all runs" when none are given). */
export function factorLabel(factors: Factors, names: readonly FactorName[]): string {
  return names.length === 0 ? 'all runs' : names.map((f) => `${f}=${factors[f]}`).join(' ');
}

/**
 * Where a run goes in a plot against `factor`: its line is its level of the next varying factor,
 * and its panel the levels of any further ones (so no line mixes conditions, and colours stay few).
 */
export function placeInPlot(
  factors: Factors,
  factor: FactorName,
  varying: readonly FactorName[],
): { series: string; panel: string } {
  const others = varying.filter((f) => f !== factor);
  return { series: factorLabel(factors, others.slice(0, 1)), panel: factorLabel(factors, others.slice(1)) };
}

/** One key per factor combination (cell), stable across sweeps (used to match cells in compares). */
export function cellKey(factors: Factors): string {
  return FACTOR_NAMES.map((f) => `${f}=${factors[f]}`).join(' ');
}

export type NonEmpty<T> = [T, ...T[]];

/** Groups in first-seen order; every group has at least one item. */
export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, NonEmpty<T>> {
  const out = new Map<string, NonEmpty<T>>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list === undefined) out.set(k, [item]);
    else list.push(item);
  }
  return out;
}

export function mean(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((s, v) => s + v, 0) / xs.length;
}
