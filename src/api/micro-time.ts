/** Kubernetes MicroTime (RFC 3339, 6 fractional digits, UTC) and Time (seconds). */
let lastMicros = 0;

/** Wall-clock microseconds that never go backwards within this process. */
export function nowMicros(): number {
  const now = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  lastMicros = Math.max(lastMicros, now);
  return lastMicros;
}

export function formatMicroTime(epochMicros: number): string {
  const millis = Math.floor(epochMicros / 1000);
  const micros = epochMicros - millis * 1000;
  const iso = new Date(millis).toISOString(); // 2026-11-23T21:40:00.123Z
  return `${iso.slice(0, 23)}${String(Math.floor(micros)).padStart(3, '0')}Z`;
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

export function parseMicroTime(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const [, whole = '', fraction = '', zone = 'Z'] = m;
  const seconds = Date.parse(`${whole}${zone}`);
  if (Number.isNaN(seconds)) return undefined;
  return seconds * 1000 + Math.floor(Number(fraction.padEnd(6, '0').slice(0, 6)));
}

export function formatTime(epochMillis: number): string {
  return `${new Date(epochMillis).toISOString().slice(0, 19)}Z`;
}
