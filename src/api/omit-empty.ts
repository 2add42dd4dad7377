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
  return sameJson(omitEmpty(a), omitEmpty(b));
}

/**
 * Deep equality of two JSON values, ignoring object key order. It walks both trees together and
 * stops at the first difference, rather than serialising both: a write compares whole objects.
 * Equal exactly when their JSON texts with sorted keys would be: a key set to `undefined` counts
 * as present (unlike a missing key), and a non-finite number as null.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return samePrimitive(a, b);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = Object.keys(ra);
  if (keys.length !== Object.keys(rb).length) return false;
  for (const k of keys) {
    if (!Object.prototype.hasOwnProperty.call(rb, k) || !sameJson(ra[k], rb[k])) return false;
  }
  return true;
}

/** What JSON.stringify makes of a non-object: non-finite numbers are null. */
function samePrimitive(a: unknown, b: unknown): boolean {
  const na = typeof a === 'number' && !Number.isFinite(a) ? null : a;
  const nb = typeof b === 'number' && !Number.isFinite(b) ? null : b;
  return na === nb;
}
