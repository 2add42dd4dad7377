/** Kubernetes name, label and annotation rules, and generateName. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export function validateDnsSubdomain(name: string): string[] {
  const problems: string[] = [];
  if (name.length > 253) problems.push('must be no more than 253 characters');
  if (!DNS_SUBDOMAIN.test(name)) {
    problems.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
    );
  }
  return problems;
}

export function validateDnsLabel(name: string): string[] {
  const problems: string[] = [];
  if (name.length > 63) problems.push('must be no more than 63 characters');
  if (!DNS_LABEL.test(name)) {
    problems.push(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
    );
  }
  return problems;
}

export function validateQualifiedName(key: string): string[] {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  const problems: string[] = [];
  if (prefix !== undefined) problems.push(...validateDnsSubdomain(prefix).map((p) => `prefix part ${p}`));
  if (name.length === 0) problems.push('name part must be non-empty');
  else if (name.length > 63) problems.push('name part must be no more than 63 characters');
  else if (!QUALIFIED_NAME_PART.test(name)) {
    problems.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
    );
  }
  return problems;
}

export function validateLabelValue(value: string): string[] {
  if (value === '') return [];
  const problems: string[] = [];
  if (value.length > 63) problems.push('must be no more than 63 characters');
  if (!QUALIFIED_NAME_PART.test(value)) {
    problems.push(
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
    );
  }
  return problems;
}

export interface MetaProblem {
  field: string;
  message: string;
}

export function validateLabels(labels: Readonly<Record<string, string>> | undefined): MetaProblem[] {
  const problems: MetaProblem[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    for (const m of validateQualifiedName(key))
      problems.push({ field: 'metadata.labels', message: `${JSON.stringify(key)}: ${m}` });
    for (const m of validateLabelValue(value))
      problems.push({ field: `metadata.labels[${key}]`, message: `${JSON.stringify(value)}: ${m}` });
  }
  return problems;
}

const MAX_ANNOTATIONS_BYTES = 256 * 1024;

export function validateAnnotations(
  annotations: Readonly<Record<string, string>> | undefined,
): MetaProblem[] {
  const problems: MetaProblem[] = [];
  let total = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    total += key.length + value.length;
    for (const m of validateQualifiedName(key.toLowerCase())) {
      problems.push({ field: 'metadata.annotations', message: `${JSON.stringify(key)}: ${m}` });
    }
  }
  if (total > MAX_ANNOTATIONS_BYTES) {
    problems.push({
      field: 'metadata.annotations',
      message: `must have at most ${MAX_ANNOTATIONS_BYTES} bytes`,
    });
  }
  return problems;
}

/** The alphabet Kubernetes draws generateName suffixes from (no vowels, no look-alikes). */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_GENERATED_NAME = 63;

export function applyGenerateName(base: string, random: () => number = Math.random): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += SUFFIX_ALPHABET[Math.floor(random() * SUFFIX_ALPHABET.length)] ?? 'x';
  return `${base.slice(0, MAX_GENERATED_NAME - suffix.length)}${suffix}`;
}
