/** A point in time on the command line (pure): RFC 3339, epoch milliseconds, `now` or `now-5m`. */
import { KosTestError } from '../util/errors.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const RELATIVE = /^now(?:-(\d+(?:\.\d+)?)(ms|s|m|h))?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseTimeOption(name: string, text: string, nowMs: number): number {
  const t = text.trim();
  const bad = (): KosTestError =>
    new KosTestError({
      what: `bad ${name}`,
      value: text,
      fix: 'give RFC 3339 (2026-12-01T19:50:00Z), epoch milliseconds (1764618600000), now or now-5m',
    });
  if (/^\d+$/.test(t)) {
    const ms = Number(t);
    // Epoch seconds (10 digits) would land in 1970: almost surely a mistake.
    if (t.length < 12 || !Number.isSafeInteger(ms)) throw bad();
    return ms;
  }
  const rel = RELATIVE.exec(t);
  if (rel !== null) {
    if (rel[1] === undefined) return nowMs;
    return nowMs - Math.round(Number(rel[1]) * (UNIT_MS[rel[2] ?? 's'] ?? 1000));
  }
  if (!RFC3339.test(t)) throw bad();
  const ms = Date.parse(t.replace(' ', 'T'));
  if (!Number.isFinite(ms)) throw bad();
  return ms;
}
