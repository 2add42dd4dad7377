/** A sweep's id, `<name>-MMDD-HHMM` (UTC): short enough that run ids stay DNS labels (pure). */
export function sweepIdOf(name: string, nowMs: number): string {
  const d = new Date(nowMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${name}-${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}-${two(d.getUTCHours())}${two(d.getUTCMinutes())}`;
}
