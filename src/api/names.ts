/**
 * Kubernetes rules for object names, label keys and values, annotations, and generateName.
 * Checks are character loops rather than regexes: label selectors call them for every key they parse.
 */

export interface MetaProblem {
  readonly field: string;
  readonly message: string;
}

const MAX_SUBDOMAIN = 253;
const MAX_LABEL = 63;
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

const SUBDOMAIN_CHARS =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const LABEL_CHARS =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const NAME_PART_CHARS =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const VALUE_CHARS =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

function isLowerAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}

function isAlnum(c: number): boolean {
  return isLowerAlnum(c) || (c >= 65 && c <= 90);
}

/** `[a-z0-9]([-a-z0-9]*[a-z0-9])?` over text[start, end). */
function isDnsLabelRun(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  if (!isLowerAlnum(text.charCodeAt(start)) || !isLowerAlnum(text.charCodeAt(end - 1))) return false;
  for (let i = start + 1; i < end - 1; i++) {
    const c = text.charCodeAt(i);
    if (c !== 45 && !isLowerAlnum(c)) return false;
  }
  return true;
}

/** Dot-separated DNS labels; Kubernetes limits only the whole length, not each label. */
function isDnsSubdomainText(text: string): boolean {
  let start = 0;
  for (;;) {
    const dot = text.indexOf('.', start);
    const end = dot < 0 ? text.length : dot;
    if (!isDnsLabelRun(text, start, end)) return false;
    if (dot < 0) return true;
    start = dot + 1;
  }
}

/** `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`, the shape of a label value and a key's name part. */
function isQualifiedPart(text: string): boolean {
  const n = text.length;
  if (n === 0 || !isAlnum(text.charCodeAt(0)) || !isAlnum(text.charCodeAt(n - 1))) return false;
  for (let i = 1; i < n - 1; i++) {
    const c = text.charCodeAt(i);
    if (!isAlnum(c) && c !== 45 && c !== 95 && c !== 46) return false;
  }
  return true;
}

/** metadata.name of most resources: a lowercase RFC 1123 subdomain of at most 253 characters. */
export function validateDnsSubdomain(name: string): string[] {
  const problems: string[] = [];
  if (name.length > MAX_SUBDOMAIN) problems.push(`must be no more than ${MAX_SUBDOMAIN} characters`);
  if (!isDnsSubdomainText(name)) problems.push(SUBDOMAIN_CHARS);
  return problems;
}

/** Namespace names: a lowercase RFC 1123 label of at most 63 characters. */
export function validateDnsLabel(name: string): string[] {
  const problems: string[] = [];
  if (name.length > MAX_LABEL) problems.push(`must be no more than ${MAX_LABEL} characters`);
  if (!isDnsLabelRun(name, 0, name.length)) problems.push(LABEL_CHARS);
  return problems;
}

/** A label or annotation key: an optional DNS subdomain prefix and '/', then a name of at most 63. */
export function validateQualifiedName(key: string): string[] {
  const problems: string[] = [];
  const slash = key.indexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (slash >= 0) {
    const prefix = key.slice(0, slash);
    if (prefix === '') problems.push('prefix part must be non-empty');
    else for (const p of validateDnsSubdomain(prefix)) problems.push(`prefix part ${p}`);
  }
  if (name === '') problems.push('name part must be non-empty');
  else {
    if (name.length > MAX_LABEL) problems.push(`name part must be no more than ${MAX_LABEL} characters`);
    if (!isQualifiedPart(name)) problems.push(NAME_PART_CHARS);
  }
  return problems;
}

/** A label value: empty, or up to 63 characters shaped like a key's name part. */
export function validateLabelValue(value: string): string[] {
  if (value === '') return [];
  const problems: string[] = [];
  if (value.length > MAX_LABEL) problems.push(`must be no more than ${MAX_LABEL} characters`);
  if (!isQualifiedPart(value)) problems.push(VALUE_CHARS);
  return problems;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** metadata.labels: string keys that are qualified names, string values that are label values. */
export function validateLabels(labels: unknown): MetaProblem[] {
  const field = 'metadata.labels';
  if (labels === undefined || labels === null) return [];
  if (!isPlainRecord(labels)) return [{ field, message: 'must be a map of string keys to string values' }];
  const problems: MetaProblem[] = [];
  for (const [key, value] of Object.entries(labels)) {
    for (const m of validateQualifiedName(key))
      problems.push({ field, message: `${JSON.stringify(key)}: ${m}` });
    if (typeof value !== 'string') {
      problems.push({ field: `${field}[${key}]`, message: 'must be a string' });
      continue;
    }
    for (const m of validateLabelValue(value)) {
      problems.push({ field: `${field}[${key}]`, message: `${JSON.stringify(value)}: ${m}` });
    }
  }
  return problems;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair is one code point of four bytes.
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * metadata.annotations: string values, keys that are qualified names once lowercased (Kubernetes
 * lowercases annotation keys before checking them), and at most 256 KiB of keys plus values in UTF-8.
 */
export function validateAnnotations(annotations: unknown): MetaProblem[] {
  const field = 'metadata.annotations';
  if (annotations === undefined || annotations === null) return [];
  if (!isPlainRecord(annotations)) {
    return [{ field, message: 'must be a map of string keys to string values' }];
  }
  const problems: MetaProblem[] = [];
  let total = 0;
  for (const [key, value] of Object.entries(annotations)) {
    for (const m of validateQualifiedName(key.toLowerCase())) {
      problems.push({ field, message: `${JSON.stringify(key)}: ${m}` });
    }
    total += utf8Length(key);
    if (typeof value !== 'string') problems.push({ field: `${field}[${key}]`, message: 'must be a string' });
    else total += utf8Length(value);
  }
  if (total > MAX_ANNOTATIONS_BYTES) {
    problems.push({
      field,
      message: `Too long: must have at most ${MAX_ANNOTATIONS_BYTES} bytes (has ${total})`,
    });
  }
  return problems;
}

/** No vowels (no accidental words) and no look-alikes such as 0/o and 1/l. */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const SUFFIX_LENGTH = 5;

/** Five characters drawn from the generateName alphabet; `random` returns [0, 1) like Math.random. */
export function generateNameSuffix(random: () => number = Math.random): string {
  let suffix = '';
  for (let i = 0; i < SUFFIX_LENGTH; i++) {
    const index = Math.min(Math.floor(random() * SUFFIX_ALPHABET.length), SUFFIX_ALPHABET.length - 1);
    suffix += SUFFIX_ALPHABET.charAt(Math.max(index, 0));
  }
  return suffix;
}

/** metadata.generateName → name: the base cut to 58 characters so base + suffix fits in 63. */
export function applyGenerateName(base: string, random: () => number = Math.random): string {
  return base.slice(0, MAX_LABEL - SUFFIX_LENGTH) + generateNameSuffix(random);
}
