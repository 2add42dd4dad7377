/**
 * Kubernetes timestamps in JSON: metav1.MicroTime (RFC 3339, UTC, exactly six fractional digits) and
 * metav1.Time (RFC 3339, UTC, whole seconds). Times travel as epoch numbers inside the process.
 */

let lastMicros = 0;

/**
 * Wall-clock epoch microseconds with real microsecond resolution. timeOrigin + now() is a double of
 * about 1.8e12 ms, precise to a fraction of a microsecond; the guard keeps stamps from going back.
 */
export function nowMicros(): number {
  const now = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  if (now > lastMicros) lastMicros = now;
  return lastMicros;
}

/** `2026-11-23T21:40:00.123456Z`; fractions of a microsecond are dropped (floored). */
export function formatMicroTime(epochMicros: number): string {
  const micros = Math.floor(epochMicros);
  const second = Math.floor(micros / 1_000_000);
  // The date part changes once a second; the driver stamps thousands of creates in each.
  if (second !== stampSecond) {
    const iso = new Date(second * 1000).toISOString(); // 2026-11-23T21:40:00.000Z
    stampSecond = second;
    stampPrefix = iso.slice(0, -4);
  }
  return `${stampPrefix}${String(micros - second * 1_000_000).padStart(6, '0')}Z`;
}

let stampSecond = Number.NaN;
let stampPrefix = '';

/** `2026-11-23T21:40:00Z`; milliseconds are dropped (floored). */
export function formatTime(epochMillis: number): string {
  const second = Math.floor(epochMillis / 1000);
  // Every create stamps one, and they come thousands to a second.
  if (second !== timeSecond) {
    timeSecond = second;
    timeText = `${new Date(second * 1000).toISOString().slice(0, -5)}Z`;
  }
  return timeText;
}

let timeSecond = Number.NaN;
let timeText = '';

// Compiled once; parsing is for request bodies, not the fan-out.
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * RFC 3339 with 0-9 fractional digits and `Z` or a ±hh:mm offset, as Go's time.RFC3339Nano reads it.
 * Returns epoch microseconds (digits past the sixth are dropped), or undefined if it does not parse.
 */
export function parseMicroTime(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const fraction = m[7] ?? '';
  const [sign, offsetHours, offsetMinutes] = [m[8], Number(m[9] ?? 0), Number(m[10] ?? 0)];
  if (
    year === undefined ||
    month === undefined ||
    day === undefined ||
    hour === undefined ||
    minute === undefined ||
    second === undefined
  ) {
    return undefined;
  }
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  date.setUTCHours(hour, minute, second, 0);
  const offset = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const micros = fraction === '' ? 0 : Number(fraction.slice(0, 6).padEnd(6, '0'));
  return (date.getTime() - offset) * 1000 + micros;
}
