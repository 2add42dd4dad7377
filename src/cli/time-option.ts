/** A point in time on the command line (pure): RFC 3339, epoch milliseconds, `now` or `now-5m`. */
import { parseDurationMs } from '../util/duration.js';
import { KosTestError } from '../util/errors.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

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
  if (t === 'now') return nowMs;
  if (t.startsWith('now-')) {
    const agoMs = parseDurationMs(t.slice(4), { units: ['ms', 's', 'm', 'h'] });
    if (agoMs === undefined || /\s/.test(t)) throw bad();
    return nowMs - Math.round(agoMs);
  }
  if (!RFC3339.test(t)) throw bad();
  const ms = Date.parse(t.replace(' ', 'T'));
  if (!Number.isFinite(ms)) throw bad();
  return ms;
}
