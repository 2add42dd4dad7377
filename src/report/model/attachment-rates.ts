/**
 * Rate over time from the driver's per-attachment CSV (`kos-test drive --per-attachment-csv`,
 * src/driver/outputs.ts): creates sent and attachments fulfilled (ready: status.ifcName seen) per
 * second. Only the columns named here are read, so the driver may add others. Pure.
 */

/** Columns read: driver wall-clock epoch milliseconds; empty when never reached. */
export const ATTACHMENT_TIME_COLUMNS = { sent: 'sentMs', fulfilled: 'readyMs' } as const;

export interface RatePoint {
  /** Seconds since the first create was sent (bin start). */
  t: number;
  kind: 'creates sent' | 'fulfilled';
  perSecond: number;
}

/** Null when the rows lack the sent column (an older or different CSV): the caller falls back. */
export function attachmentRates(rows: readonly Record<string, string>[], binSeconds = 1): RatePoint[] | null {
  const first = rows[0];
  if (first === undefined || !(ATTACHMENT_TIME_COLUMNS.sent in first)) return null;
  const times = (col: string): number[] =>
    rows.map((r) => Number(r[col] === '' || r[col] === undefined ? NaN : r[col])).filter(Number.isFinite);
  const sent = times(ATTACHMENT_TIME_COLUMNS.sent);
  const fulfilled = times(ATTACHMENT_TIME_COLUMNS.fulfilled);
  if (sent.length === 0) return [];
  const origin = Math.min(...sent);
  const binMs = binSeconds * 1000;
  const last = Math.max(...sent, ...fulfilled);
  const bins = Math.floor((last - origin) / binMs) + 1;
  const count = (ts: number[]): number[] => {
    const c = new Array<number>(bins).fill(0);
    for (const t of ts) {
      const i = Math.floor((t - origin) / binMs);
      if (i >= 0 && i < bins) c[i] = (c[i] ?? 0) + 1;
    }
    return c;
  };
  const series = (kind: RatePoint['kind'], c: number[]): RatePoint[] =>
    c.map((n, i) => ({ t: i * binSeconds, kind, perSecond: n / binSeconds }));
  return [...series('creates sent', count(sent)), ...series('fulfilled', count(fulfilled))];
}
