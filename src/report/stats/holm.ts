/**
 * Holm's step-down adjustment of p-values: a comparison of two sweeps runs one test per cell and
 * quantity (often a hundred), so some would pass p < 0.05 by chance alone. Holm keeps the chance
 * of any false "significant" under the level, and is never less powerful than Bonferroni.
 */
export function holmAdjust(ps: readonly (number | null)[]): (number | null)[] {
  const order = ps
    .map((p, i) => ({ p, i }))
    .filter((x): x is { p: number; i: number } => x.p !== null)
    .sort((x, y) => x.p - y.p);
  const m = order.length;
  const out: (number | null)[] = ps.map(() => null);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}
