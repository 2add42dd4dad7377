/**
 * Kubernetes field selectors as clients send them in `fieldSelector=`: comma-separated `f=v`, `f==v`
 * and `f!=v`, with backslash escapes in values. Which fields exist is the caller's business.
 */
import { SelectorError } from './selector-error.js';

export interface FieldRequirement {
  readonly field: string;
  /** `==` is read as `=`. */
  readonly operator: '=' | '!=';
  /** Unescaped. */
  readonly value: string;
}

export interface FieldSelector {
  /** In the order the client wrote them, as Kubernetes keeps them. */
  readonly requirements: readonly FieldRequirement[];
  readonly isEverything: boolean;
  /** A field missing from the record compares as ''. */
  matches(fields: Readonly<Record<string, string>>): boolean;
  /** The value of the first `field=value` requirement on `field`, for index lookups. */
  exactValue(field: string): string | undefined;
  /** Canonical form (`==` printed as `=`, values escaped); parsing it gives back the same selector. */
  toString(): string;
}

const BACKSLASH = 92;
const COMMA = 44;
const EQUALS = 61;
const BANG = 33;

/** Kubernetes escapes backslash, comma and equals; `!` needs no escape but `\!` is accepted. */
function escapeValue(value: string): string {
  let out = '';
  for (const c of value) out += c === '\\' || c === ',' || c === '=' ? `\\${c}` : c;
  return out;
}

function makeSelector(requirements: readonly FieldRequirement[]): FieldSelector {
  const text = requirements.map((r) => `${r.field}${r.operator}${escapeValue(r.value)}`).join(',');
  return Object.freeze({
    requirements,
    isEverything: requirements.length === 0,
    matches(fields: Readonly<Record<string, string>>): boolean {
      for (const r of requirements) {
        const v = fields[r.field];
        // Absent fields and inherited properties of Object.prototype are never strings.
        const actual = typeof v === 'string' ? v : '';
        if ((actual === r.value) !== (r.operator === '=')) return false;
      }
      return true;
    },
    exactValue(field: string): string | undefined {
      for (const r of requirements) if (r.operator === '=' && r.field === field) return r.value;
      return undefined;
    },
    toString: () => text,
  });
}

export const everythingFields: FieldSelector = makeSelector([]);

/** Splits on commas that are not escaped, leaving escapes in place for the term parser. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === COMMA) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

function unescapeValue(value: string, term: string, whole: string): string {
  if (!value.includes('\\') && !value.includes('=')) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === EQUALS) {
      throw new SelectorError(whole, `invalid field selector "${term}": unescaped '=' in the value`);
    }
    if (c !== BACKSLASH) {
      out += value.charAt(i);
      continue;
    }
    const next = value.charCodeAt(i + 1);
    if (next !== BACKSLASH && next !== COMMA && next !== EQUALS && next !== BANG) {
      throw new SelectorError(
        whole,
        `invalid field selector "${term}": invalid escape sequence "${value.slice(i, i + 2)}"`,
      );
    }
    out += value.charAt(i + 1);
    i++;
  }
  return out;
}

/** The first unescaped `!=`, `==` or `=` (tried in that order at each place) splits field from value. */
function parseTerm(term: string, whole: string): FieldRequirement {
  for (let i = 0; i < term.length; i++) {
    const c = term.charCodeAt(i);
    if (c === BACKSLASH) {
      i++;
      continue;
    }
    const next = term.charCodeAt(i + 1);
    let operator: '=' | '!=';
    let width: number;
    if (c === BANG && next === EQUALS) [operator, width] = ['!=', 2];
    else if (c === EQUALS) [operator, width] = ['=', next === EQUALS ? 2 : 1];
    else continue;
    const field = term.slice(0, i);
    if (field === '') throw new SelectorError(whole, `invalid field selector "${term}": field name is empty`);
    return { field, operator, value: unescapeValue(term.slice(i + width), term, whole) };
  }
  throw new SelectorError(
    whole,
    `invalid field selector "${term}": expected field=value, field==value or field!=value`,
  );
}

/**
 * Parses `fieldSelector`; undefined or empty text selects everything, and empty terms (as in `a=b,`)
 * are skipped. Whitespace is not trimmed: it belongs to the field name or value. Throws SelectorError.
 */
export function parseFieldSelector(text: string | undefined): FieldSelector {
  if (text === undefined || text === '') return everythingFields;
  const requirements: FieldRequirement[] = [];
  for (const term of splitTerms(text)) {
    if (term !== '') requirements.push(Object.freeze(parseTerm(term, text)));
  }
  return requirements.length === 0 ? everythingFields : makeSelector(requirements);
}
