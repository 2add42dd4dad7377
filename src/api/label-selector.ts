/** Kubernetes label selectors: =, ==, !=, in, notin, exists, !exists, gt, lt; parsed once, matched fast. */
import { SelectorError } from './selector-error.js';
import { validateLabelValue, validateQualifiedName } from './names.js';

export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  readonly isEverything: boolean;
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  toString(): string;
}

function matchOne(r: LabelRequirement, labels: Readonly<Record<string, string>> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return value !== undefined && r.values.includes(value);
    case '!=':
    case 'notin':
      return value === undefined || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (value === undefined || !/^-?\d+$/.test(value)) return false;
      const n = Number(value);
      const bound = Number(r.values[0]);
      return r.operator === 'gt' ? n > bound : n < bound;
    }
  }
}

function render(r: LabelRequirement): string {
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${r.values.join(',')})`;
    case 'gt':
      return `${r.key}>${r.values[0] ?? ''}`;
    case 'lt':
      return `${r.key}<${r.values[0] ?? ''}`;
    default:
      return `${r.key}${r.operator}${r.values[0] ?? ''}`;
  }
}

function makeSelector(requirements: LabelRequirement[]): LabelSelector {
  return {
    requirements,
    isEverything: requirements.length === 0,
    matches: (labels) => requirements.every((r) => matchOne(r, labels)),
    toString: () => requirements.map(render).join(','),
  };
}

export const everythingLabels: LabelSelector = makeSelector([]);

/** Splits on commas outside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of text) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += c;
  }
  terms.push(current);
  return terms;
}

const SET_TERM = /^([^\s!=<>(),]+)\s+(in|notin)\s*\(([^()]*)\)$/;
const BINARY_TERM = /^([^\s!=<>(),]+)\s*(==|!=|=|>|<)\s*([^\s!=<>(),]*)$/;

function checkKey(key: string, whole: string): string {
  const problems = validateQualifiedName(key);
  if (problems.length > 0)
    throw new SelectorError(whole, `invalid label key "${key}": ${problems.join('; ')}`);
  return key;
}

function checkValue(value: string, whole: string): string {
  const problems = validateLabelValue(value);
  if (problems.length > 0)
    throw new SelectorError(whole, `invalid label value "${value}": ${problems.join('; ')}`);
  return value;
}

function parseTerm(raw: string, whole: string): LabelRequirement {
  const term = raw.trim();
  if (term === '') throw new SelectorError(whole, 'found an empty requirement');
  const set = SET_TERM.exec(term);
  if (set !== null) {
    const [, key = '', op = '', list = ''] = set;
    const values = list.split(',').map((v) => v.trim());
    if (list.trim() === '')
      throw new SelectorError(whole, `"${term}": for 'in' and 'notin', the set of values must not be empty`);
    return {
      key: checkKey(key, whole),
      operator: op as 'in' | 'notin',
      values: values.map((v) => checkValue(v, whole)),
    };
  }
  if (term.startsWith('!')) {
    return { key: checkKey(term.slice(1).trim(), whole), operator: '!', values: [] };
  }
  const binary = BINARY_TERM.exec(term);
  if (binary !== null) {
    const [, key = '', op = '', value = ''] = binary;
    if (op === '>' || op === '<') {
      if (!/^-?\d+$/.test(value))
        throw new SelectorError(whole, `"${term}": for '>' and '<', the value must be an integer`);
      return { key: checkKey(key, whole), operator: op === '>' ? 'gt' : 'lt', values: [value] };
    }
    return {
      key: checkKey(key, whole),
      operator: op as '=' | '==' | '!=',
      values: [checkValue(value, whole)],
    };
  }
  if (/^[^\s!=<>(),]+$/.test(term)) return { key: checkKey(term, whole), operator: 'exists', values: [] };
  throw new SelectorError(
    whole,
    `"${term}": expected key, !key, key=value, key!=value, key in (...), key notin (...)`,
  );
}

export function parseLabelSelector(text: string | undefined): LabelSelector {
  if (text === undefined || text.trim() === '') return everythingLabels;
  return makeSelector(splitTerms(text).map((t) => parseTerm(t, text)));
}
