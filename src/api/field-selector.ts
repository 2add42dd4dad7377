/** Kubernetes field selectors: `f=v`, `f==v`, `f!=v`, comma-separated, with backslash escapes. */
import { SelectorError } from './selector-error.js';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  readonly isEverything: boolean;
  matches(fields: Readonly<Record<string, string>>): boolean;
  exactValue(field: string): string | undefined;
  toString(): string;
}

function escapeValue(v: string): string {
  return v.replace(/[\\,=!]/g, (c) => `\\${c}`);
}

function makeSelector(requirements: FieldRequirement[]): FieldSelector {
  return {
    requirements,
    isEverything: requirements.length === 0,
    matches(fields) {
      for (const r of requirements) {
        const actual = fields[r.field] ?? '';
        if ((actual === r.value) !== (r.operator === '=')) return false;
      }
      return true;
    },
    exactValue(field) {
      return requirements.find((r) => r.field === field && r.operator === '=')?.value;
    },
    toString() {
      return requirements.map((r) => `${r.field}${r.operator}${escapeValue(r.value)}`).join(',');
    },
  };
}

export const everythingFields: FieldSelector = makeSelector([]);

/** Splits on unescaped commas, keeping escapes for the term parser. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c === '\\') {
      current += c + (text[i + 1] ?? '');
      i++;
    } else if (c === ',') {
      terms.push(current);
      current = '';
    } else current += c;
  }
  terms.push(current);
  return terms;
}

function parseTerm(term: string, whole: string): FieldRequirement {
  for (let i = 0; i < term.length; i++) {
    const c = term[i];
    if (c === '\\') {
      i++;
      continue;
    }
    let operator: '=' | '!=' | undefined;
    let width = 0;
    if (c === '!' && term[i + 1] === '=') [operator, width] = ['!=', 2];
    else if (c === '=' && term[i + 1] === '=') [operator, width] = ['=', 2];
    else if (c === '=') [operator, width] = ['=', 1];
    if (operator === undefined) continue;
    const field = term.slice(0, i).trim();
    if (field === '') throw new SelectorError(whole, `"${term}": field name is empty`);
    return { field, operator, value: unescape(term.slice(i + width), whole) };
  }
  throw new SelectorError(whole, `"${term}": found no operator; expected =, == or !=`);
}

function unescape(value: string, whole: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? '';
    if (c !== '\\') {
      if (c === ',' || c === '=') throw new SelectorError(whole, `"${value}": unescaped ${c} in a value`);
      out += c;
      continue;
    }
    const next = value[i + 1];
    if (next === undefined || !'\\,=!'.includes(next)) {
      throw new SelectorError(whole, `"${value}": invalid escape sequence`);
    }
    out += next;
    i++;
  }
  return out;
}

export function parseFieldSelector(text: string | undefined): FieldSelector {
  if (text === undefined || text.trim() === '') return everythingFields;
  return makeSelector(splitTerms(text).map((t) => parseTerm(t, text)));
}
