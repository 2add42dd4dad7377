/**
 * Go's `omitempty`: KOS status fields are all omitempty, so "", 0, false, null, [] and {} are the
 * same as absent, both on the wire and when deciding whether a section changed.
 */
export function omitEmpty(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.length === 0 ? undefined : value;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const kept = omitEmpty(v);
      if (kept !== undefined) out[k] = kept;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  if (value === null || value === '' || value === 0 || value === false) return undefined;
  return value;
}

/** Drops null-valued keys at every depth (JSON null means "not set" for every KOS field). */
export function dropNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map(dropNulls) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== null && v !== undefined) out[k] = dropNulls(v);
    }
    return out as T;
  }
  return value;
}

/** Structural equality of two JSON values after omitempty normalisation. */
export function sameWhenEmptyOmitted(a: unknown, b: unknown): boolean {
  return stableStringify(omitEmpty(a)) === stableStringify(omitEmpty(b));
}

/** JSON with object keys sorted, so key order never makes two equal values differ. */
function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Deep equality of two JSON values, ignoring object key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  return stableStringify(a) === stableStringify(b);
}
