/** Turns the first zod issue of a bad spec into one KosTestError line: where, the bad value, the fix. */
import type { z } from 'zod';
import { KosTestError } from '../../util/errors.js';
import { pathText, valueAt } from '../../util/zod-error.js';
import { FACTOR_NAMES } from './spec-schema.js';

function show(v: unknown): string {
  // JSON.stringify gives undefined for undefined and functions.
  return v === undefined || typeof v === 'function' ? String(v) : JSON.stringify(v);
}

function fixFor(issue: z.core.$ZodIssue, path: string, value: unknown): string {
  if (value === undefined) return `add ${path} to the spec (see kos-test experiment schema)`;
  if (issue.code === 'invalid_type') {
    if (issue.expected === 'array') return `give ${path} as a list of levels, e.g. [1, 3, 9]`;
    if (issue.expected === 'int') return `give ${path} as a whole number`;
    return `give ${path} as a ${issue.expected}`;
  }
  if (issue.code === 'too_small') return `give ${path} a value of at least ${String(issue.minimum)}`;
  if (issue.code === 'invalid_value') return `use one of ${issue.values.map((x) => show(x)).join(', ')}`;
  if (path.startsWith('target'))
    return 'a target is {kind: testbed, ...} or {kind: cluster, kubeconfig, prometheusUrl, ...}';
  return 'see kos-test experiment schema for the allowed values';
}

export function specIssueError(source: string, data: unknown, issue: z.core.$ZodIssue): KosTestError {
  if (issue.code === 'unrecognized_keys') {
    const where = pathText(issue.path);
    const key = issue.keys[0] ?? '';
    if (where === 'factors') {
      return new KosTestError({
        what: `${source}: unknown factor`,
        value: key,
        fix: `factors are ${FACTOR_NAMES.join(', ')} (names are case-sensitive)`,
      });
    }
    return new KosTestError({
      what: `${source}: unknown option ${where === '' ? '' : `in ${where}`}`.trimEnd(),
      value: key,
      fix: 'remove it or correct its spelling (kos-test experiment schema lists every option)',
    });
  }
  if (issue.path.length === 0) return notAMapping(source, data);
  const where = pathText(issue.path);
  const value = valueAt(data, issue.path);
  if (where === 'target.kubeconfig' && value === undefined) {
    return new KosTestError({
      what: `${source}: a cluster target needs a kubeconfig`,
      value: 'target.kubeconfig is missing',
      fix: 'add target.kubeconfig: <path of the kubeconfig of the cluster running KOS>',
    });
  }
  const message = value === undefined ? 'is missing' : issue.message.replace(/^Invalid input: /, '');
  return new KosTestError({
    what: `${source}: ${where === '' ? 'the spec' : where} ${value === undefined ? message : `is bad (${message})`}`,
    ...(value === undefined ? {} : { value: show(value) }),
    fix: fixFor(issue, where, value),
  });
}

/** The whole document is not a spec: an empty file, or a list or a word where options belong. */
function notAMapping(source: string, data: unknown): KosTestError {
  const empty = data === null || data === undefined;
  return new KosTestError({
    what: `${source}: ${empty ? 'the spec is empty' : `the spec is ${Array.isArray(data) ? 'a list' : `a ${typeof data}`}, not a mapping of options`}`,
    ...(empty ? {} : { value: show(data) }),
    fix: 'write it as YAML options (name, X, factors, cruise, ...); kos-test experiment schema lists them, and examples/ has specs to start from',
  });
}
