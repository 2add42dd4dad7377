/** A small structural diff of two parsed specs: one line per changed leaf, `path: old -> new`. */

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function show(v: unknown): string {
  return v === undefined ? '(absent)' : JSON.stringify(v);
}

export function specDiff(before: unknown, after: unknown, path = ''): string[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => specDiff(before[k], after[k], path === '' ? k : `${path}.${k}`));
  }
  // Level lists are compared whole: "NCA: [600,1200] -> [600,1200,1800]" reads better than per index.
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [`${path === '' ? '(spec)' : path}: ${show(before)} -> ${show(after)}`];
}

/** Canonical JSON (sorted keys) so the hash ignores key order, comments and formatting. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x)).join(',')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
