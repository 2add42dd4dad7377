/** Prometheus's HTTP API time parameter (pure). */

/** Prometheus's API time parameter: seconds since the epoch, millisecond precision. */
export function promTime(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`bad time: ${ms}`);
  return (Math.round(ms) / 1000).toFixed(3);
}
