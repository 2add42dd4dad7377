/**
 * The one duration parser (pure): `250us`, `2.5ms`, `30s`, `2m`, `1h`, `14d`, and with `compound`
 * Prometheus's `1h30m`. Each caller names the units its users may write, so a flag that means
 * a fabric delay does not silently take hours.
 */

export const DURATION_UNIT_MS = {
  us: 0.001,
  µs: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
} as const;

export type DurationUnit = keyof typeof DURATION_UNIT_MS;

export interface DurationSyntax {
  /** The units accepted. */
  units: readonly DurationUnit[];
  /** Several terms in a row, summed (`1h30m`). Default: one term. */
  compound?: boolean;
  /** Whole numbers only (Prometheus). Default: decimals too (`2.5ms`, `.5s`). */
  integers?: boolean;
}

/** A regex source matching one whole duration in `syntax`, for schemas and for the parser. */
export function durationPattern(syntax: DurationSyntax): string {
  const num = syntax.integers === true ? '\\d+' : '(?:\\d+(?:\\.\\d+)?|\\.\\d+)';
  // Longest unit first, so `ms` is not read as `m` followed by junk.
  const units = [...syntax.units].sort((a, b) => b.length - a.length).join('|');
  const term = `${num}(?:${units})`;
  return syntax.compound === true ? `^(?:${term})+$` : `^${term}$`;
}

/** Milliseconds in `text` (surrounding space ignored); undefined if it is not a duration in `syntax`. */
export function parseDurationMs(text: string, syntax: DurationSyntax): number | undefined {
  const t = text.trim();
  if (!new RegExp(durationPattern(syntax)).test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?|\.\d+)(us|µs|ms|s|m|h|d|w|y)/g)) {
    total += Number(m[1]) * DURATION_UNIT_MS[m[2] as DurationUnit];
  }
  return total;
}
