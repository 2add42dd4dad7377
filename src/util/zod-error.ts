/**
 * From a failed zod check to one KosTestError line (pure): every site that validates input at
 * an edge (a spec, a flag, a file) gets the failing path, the bad value and the message the same
 * way, and words its own `what` and `fix`.
 */
import type { z } from 'zod';
import type { KosTestError } from './errors.js';

/** Where a check failed, in the forms messages use. */
export interface FailedCheck {
  issue: z.core.$ZodIssue | undefined;
  /** `a.b.0`; '' at the top level. */
  dotted: string;
  /** `a.b[0]`; '' at the top level. */
  path: string;
  /** zod's message, or 'invalid' when it gave no issue. */
  message: string;
  /** What the input holds at the failing path (undefined when absent). */
  value: unknown;
}

export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

export function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) =>
      typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`,
    '',
  );
}

export function failedCheck(error: z.ZodError, input: unknown): FailedCheck {
  const issue = error.issues[0];
  const path = issue?.path ?? [];
  return {
    issue,
    dotted: path.map(String).join('.'),
    path: pathText(path),
    message: issue?.message ?? 'invalid',
    value: issue === undefined ? undefined : valueAt(input, path),
  };
}

/** `schema.parse(input)`, except that a failure becomes the KosTestError `explain` words. */
export function parseChecked<S extends z.ZodType>(
  schema: S,
  input: unknown,
  explain: (failed: FailedCheck) => KosTestError,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw explain(failedCheck(result.error, input));
}
