/** kubectl's AGE column: the largest one or two units, e.g. 45s, 3m20s, 5h, 2d3h, 400d. */
export function humanAge(creationTimestamp: string | undefined, nowMs: number): string {
  if (creationTimestamp === undefined) return '<unknown>';
  const seconds = Math.max(0, Math.floor((nowMs - Date.parse(creationTimestamp)) / 1000));
  if (!Number.isFinite(seconds)) return '<invalid>';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  return `${days}d`;
}
