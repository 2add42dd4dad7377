/**
 * Kubernetes label selectors as clients send them in `labelSelector=`. A selector is parsed once into
 * one small test per requirement, so matching an object on the watch fan-out allocates nothing.
 */
import { validateLabelValue, validateQualifiedName } from './names.js';
import { SelectorError } from './selector-error.js';

export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** One value for =, ==, !=, gt, lt; a sorted set without duplicates for in and notin; none otherwise. */
  readonly values: readonly string[];
}

export interface LabelSelector {
  /** Sorted by key (stably), as Kubernetes keeps them, so equal selectors print alike. */
  readonly requirements: readonly LabelRequirement[];
  readonly isEverything: boolean;
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** Canonical form; parsing it gives back the same selector. */
  toString(): string;
}

type Labels = Readonly<Record<string, string>>;
type Test = (labels: Labels) => boolean;

const NO_LABELS: Labels = Object.freeze({});

/** Above this many values a Set beats a linear scan. */
const SET_THRESHOLD = 8;

/** Go's strconv.ParseInt(s, 10, 64): optional sign, decimal digits, within int64. */
function parseInt64(text: string): number | bigint | undefined {
  const n = text.length;
  const first = text.charCodeAt(0);
  const start = first === 43 || first === 45 ? 1 : 0; // '+' or '-'
  if (start === n) return undefined;
  for (let i = start; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  // Fifteen digits are always exact in a double; only longer numbers need a BigInt.
  if (n - start <= 15) return Number(text);
  const big = BigInt(text);
  return big > 9223372036854775807n || big < -9223372036854775808n ? undefined : big;
}

function compareInts(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function compile(r: LabelRequirement): Test {
  const { key, values } = r;
  const value = values[0] ?? '';
  // Absent keys and inherited properties of Object.prototype are never strings.
  switch (r.operator) {
    case 'exists':
      return (l) => typeof l[key] === 'string';
    case '!':
      return (l) => typeof l[key] !== 'string';
    case '=':
    case '==':
      return (l) => l[key] === value;
    case '!=':
      return (l) => l[key] !== value;
    case 'in':
      if (values.length === 1) return (l) => l[key] === value;
      if (values.length > SET_THRESHOLD) {
        const set = new Set(values);
        return (l) => {
          const v = l[key];
          return typeof v === 'string' && set.has(v);
        };
      }
      return (l) => {
        const v = l[key];
        return typeof v === 'string' && values.includes(v);
      };
    case 'notin':
      if (values.length === 1) return (l) => l[key] !== value;
      if (values.length > SET_THRESHOLD) {
        const set = new Set(values);
        return (l) => {
          const v = l[key];
          return typeof v !== 'string' || !set.has(v);
        };
      }
      return (l) => {
        const v = l[key];
        return typeof v !== 'string' || !values.includes(v);
      };
    case 'gt':
    case 'lt': {
      const bound = parseInt64(value) ?? 0;
      const sign = r.operator === 'gt' ? 1 : -1;
      return (l) => {
        const v = l[key];
        if (typeof v !== 'string') return false;
        const n = parseInt64(v);
        return n !== undefined && sign * compareInts(n, bound) > 0;
      };
    }
  }
}

function render(r: LabelRequirement): string {
  const value = r.values[0] ?? '';
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      // A set holding only the empty value prints as `(,)`, since `()` would not parse.
      return `${r.key} ${r.operator} (${r.values.length === 1 && value === '' ? ',' : r.values.join(',')})`;
    case 'gt':
      return `${r.key}>${value}`;
    case 'lt':
      return `${r.key}<${value}`;
    default:
      return `${r.key}${r.operator}${value}`;
  }
}

function makeSelector(requirements: readonly LabelRequirement[]): LabelSelector {
  const tests = requirements.map(compile);
  const text = requirements.map(render).join(',');
  let matches: (labels: Labels | undefined) => boolean;
  const [only] = tests;
  if (only === undefined) matches = () => true;
  else if (tests.length === 1) matches = (labels) => only(labels ?? NO_LABELS);
  else {
    matches = (labels) => {
      const l = labels ?? NO_LABELS;
      for (const test of tests) if (!test(l)) return false;
      return true;
    };
  }
  return Object.freeze({
    requirements,
    isEverything: requirements.length === 0,
    matches,
    toString: () => text,
  });
}

export const everythingLabels: LabelSelector = makeSelector([]);

type TokenKind = 'ident' | '!' | '!=' | '=' | '==' | '(' | ')' | ',' | '<' | '>' | 'end';

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** The characters that end an identifier and form tokens of their own. */
function symbolKind(c: number): TokenKind | undefined {
  switch (c) {
    case 33:
      return '!';
    case 61:
      return '=';
    case 40:
      return '(';
    case 41:
      return ')';
    case 44:
      return ',';
    case 60:
      return '<';
    case 62:
      return '>';
    default:
      return undefined;
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const kind = symbolKind(c);
    if (kind !== undefined) {
      if ((kind === '!' || kind === '=') && text.charCodeAt(i + 1) === 61) {
        tokens.push({ kind: kind === '!' ? '!=' : '==', text: text.slice(i, i + 2) });
        i += 2;
      } else {
        tokens.push({ kind, text: text.charAt(i) });
        i++;
      }
      continue;
    }
    const start = i;
    while (i < text.length) {
      const d = text.charCodeAt(i);
      if (isSpace(d) || symbolKind(d) !== undefined) break;
      i++;
    }
    tokens.push({ kind: 'ident', text: text.slice(start, i) });
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

function describe(t: Token): string {
  return t.kind === 'end' ? 'end of string' : `'${t.text}'`;
}

/** Recursive descent over the tokens; `in` and `notin` are keywords only where an operator goes. */
class Parser {
  private readonly tokens: Token[];
  private at = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenize(text);
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    if (this.peek().kind === 'end') return requirements;
    for (;;) {
      requirements.push(this.requirement());
      const t = this.next();
      if (t.kind === 'end') return requirements;
      if (t.kind !== ',') this.unexpected(t, "',' or end of string");
    }
  }

  private peek(): Token {
    return this.tokens[this.at] ?? { kind: 'end', text: '' };
  }

  private next(): Token {
    const t = this.peek();
    if (this.at < this.tokens.length) this.at++;
    return t;
  }

  private fail(reason: string): never {
    throw new SelectorError(this.text, reason);
  }

  private unexpected(t: Token, expected: string): never {
    this.fail(`found ${describe(t)}, expected: ${expected}`);
  }

  private requirement(): LabelRequirement {
    const first = this.next();
    if (first.kind === '!') {
      const t = this.next();
      if (t.kind !== 'ident') this.unexpected(t, 'identifier');
      return { key: this.key(t.text), operator: '!', values: [] };
    }
    if (first.kind !== 'ident') this.unexpected(first, '!, identifier');
    const key = this.key(first.text);
    const op = this.peek();
    switch (op.kind) {
      case ',':
      case 'end':
        return { key, operator: 'exists', values: [] };
      case '=':
      case '==':
      case '!=':
        this.next();
        return { key, operator: op.kind, values: [this.exactValue(key)] };
      case '>':
      case '<':
        this.next();
        return { key, operator: op.kind === '>' ? 'gt' : 'lt', values: [this.integer(key, op.text)] };
      case 'ident':
        if (op.text === 'in' || op.text === 'notin') {
          this.next();
          return { key, operator: op.text, values: this.valueSet(key, op.text) };
        }
        break;
      default:
        break;
    }
    return this.unexpected(op, "in, notin, =, ==, !=, >, <, ',' or end of string");
  }

  /** The value after =, == or !=; nothing before ',' or the end means the empty value. */
  private exactValue(key: string): string {
    const t = this.peek();
    if (t.kind === ',' || t.kind === 'end') return '';
    if (t.kind !== 'ident') this.unexpected(t, "identifier, ',' or end of string");
    this.next();
    return this.value(key, t.text);
  }

  private integer(key: string, op: string): string {
    const t = this.next();
    if (t.kind !== 'ident' || parseInt64(t.text) === undefined) {
      this.fail(`${key}${op}${t.text}: for 'gt', 'lt' operators, the value must be an integer`);
    }
    return t.text;
  }

  /** `( v, ... )`; an empty slot as in `(a,)` stands for the empty value, but `()` is an error. */
  private valueSet(key: string, op: string): string[] {
    const open = this.next();
    if (open.kind !== '(') this.unexpected(open, "'('");
    if (this.peek().kind === ')') {
      this.fail(`${key} ${op} (): for 'in', 'notin' operators, values set can't be empty`);
    }
    const values = new Set<string>();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'ident') {
        this.next();
        values.add(this.value(key, t.text));
      } else values.add('');
      const sep = this.next();
      if (sep.kind === ')') break;
      if (sep.kind !== ',') this.unexpected(sep, "',' or ')'");
    }
    return [...values].sort();
  }

  private key(key: string): string {
    const problems = validateQualifiedName(key);
    if (problems.length > 0) this.fail(`invalid label key "${key}": ${problems.join('; ')}`);
    return key;
  }

  private value(key: string, value: string): string {
    const problems = validateLabelValue(value);
    if (problems.length > 0) {
      this.fail(`invalid label value "${value}" for key "${key}": ${problems.join('; ')}`);
    }
    return value;
  }
}

function byKey(a: LabelRequirement, b: LabelRequirement): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Parses `labelSelector`; undefined, empty or blank text selects everything. Throws SelectorError. */
export function parseLabelSelector(text: string | undefined): LabelSelector {
  if (text === undefined || text === '') return everythingLabels;
  const requirements = new Parser(text).parse();
  if (requirements.length === 0) return everythingLabels;
  return makeSelector(
    requirements.sort(byKey).map((r) => Object.freeze({ ...r, values: Object.freeze(r.values) })),
  );
}
