/**
 * Cluster profiles as data (YAML, checked here): how many nodes of each purpose a cluster has,
 * their CPU and memory capacity, and how node names map to purposes. Pure: the text comes in,
 * a Profile or a one-line KosTestError comes out.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { KosTestError } from '../util/errors.js';
import { parseChecked } from '../util/zod-error.js';
import { SEED_RULES, prefixRule, type ClassificationRule } from './classify.js';
import { PURPOSES, isPurpose, type Purpose } from './purposes.js';

const expectationSchema = z.strictObject({
  /** Exactly this many nodes have the purpose. */
  count: z.number().int().min(0).optional(),
  /** At least this many (for patterns like scaletest whose size varies). */
  minCount: z.number().int().min(0).optional(),
  /** CPU capacity of each node with the purpose. */
  cpus: z.number().positive().optional(),
  /** Memory capacity of each node with the purpose, in GiB. */
  memoryGiB: z.number().positive().optional(),
});

const ruleSchema = z.union([
  z.strictObject({
    prefix: z.string().regex(/^[A-Za-z][A-Za-z0-9-]*$/),
    purposes: z.array(z.string()).min(1),
  }),
  z.strictObject({ match: z.string().min(1), purposes: z.array(z.string()).min(1) }),
]);

const profileSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/),
  description: z.string().default(''),
  /** How far below the profile a node's memory capacity may be (the kernel keeps some). @default 0.1 */
  memoryTolerance: z.number().min(0).max(1).default(0.1),
  classification: z
    .strictObject({
      /** Rules tried first, in order. @default [] */
      rules: z.array(ruleSchema).default([]),
      /** Whether the seed's naming conventions apply after the profile's rules. @default true */
      seedRules: z.boolean().default(true),
    })
    .default({ rules: [], seedRules: true }),
  purposes: z.record(z.string(), expectationSchema),
});

export type Expectation = z.infer<typeof expectationSchema>;

export interface Profile {
  name: string;
  description: string;
  /** Where it was read from, for messages. */
  source: string;
  memoryTolerance: number;
  rules: readonly ClassificationRule[];
  expectations: ReadonlyMap<Purpose, Expectation>;
}

function badProfile(source: string, value: string, fix: string): KosTestError {
  return new KosTestError({ what: `bad profile ${source}`, value, fix });
}

function checkedPurpose(source: string, text: string): Purpose {
  if (!isPurpose(text)) {
    throw badProfile(source, `unknown purpose "${text}"`, `use one of ${PURPOSES.join(', ')}`);
  }
  return text;
}

function compileRule(source: string, rule: z.infer<typeof ruleSchema>): ClassificationRule {
  const purposes = rule.purposes.map((p) => checkedPurpose(source, p));
  if ('prefix' in rule) return prefixRule(rule.prefix, purposes);
  try {
    return { describe: `/${rule.match}/`, pattern: new RegExp(rule.match), purposes };
  } catch {
    throw badProfile(
      source,
      `match ${JSON.stringify(rule.match)} is not a regular expression`,
      'fix the pattern',
    );
  }
}

export function parseProfile(text: string, source: string): Profile {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e: unknown) {
    const first = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
    throw badProfile(source, `not YAML: ${first}`, 'fix the YAML syntax');
  }
  const p = parseChecked(profileSchema, raw, (f) =>
    badProfile(
      source,
      `${f.dotted === '' ? '(top level)' : f.dotted}: ${f.message}`,
      'see ops/profiles/r12s24.yaml for the format',
    ),
  );
  const expectations = new Map<Purpose, Expectation>();
  for (const [key, expectation] of Object.entries(p.purposes)) {
    const purpose = checkedPurpose(source, key);
    if (expectation.count !== undefined && expectation.minCount !== undefined) {
      throw badProfile(source, `${key} has both count and minCount`, 'give one of them');
    }
    expectations.set(purpose, expectation);
  }
  const own = p.classification.rules.map((r) => compileRule(source, r));
  return {
    name: p.name,
    description: p.description,
    source,
    memoryTolerance: p.memoryTolerance,
    rules: p.classification.seedRules ? [...own, ...SEED_RULES] : own,
    expectations,
  };
}
