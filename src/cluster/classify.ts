/**
 * Node purposes from node names (pure): the seed's naming conventions, which a profile can
 * extend or replace. The first matching rule wins; a name no rule matches is unclassified and
 * reported as such, never guessed.
 */
import type { Purpose } from './purposes.js';

export interface ClassificationRule {
  /** What the rule was written as, for messages: `kapiN` or `/regex/`. */
  describe: string;
  pattern: RegExp;
  purposes: readonly Purpose[];
}

/** Escapes regex syntax, so a prefix is taken literally. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `<prefix>N` at the end of the name, where N is one or more digits and the prefix starts the
 * name or follows a separator: `kapi0` and `r12s24-kapi0` match, `xkapi0` does not, and
 * `kctrl0` is not a scaletest `ctrl0`.
 */
export function prefixRule(prefix: string, purposes: readonly Purpose[]): ClassificationRule {
  return {
    describe: `${prefix}N`,
    pattern: new RegExp(`(?:^|[^A-Za-z0-9])${literal(prefix)}[0-9]+$`),
    purposes,
  };
}

/** The seed's conventions (its label-nodes.sh), with nctrl nodes also running the etcd operator. */
export const SEED_RULES: readonly ClassificationRule[] = [
  prefixRule('ketcd', ['ketcd']),
  prefixRule('kapi', ['kapi']),
  prefixRule('kctrl', ['kctrl']),
  prefixRule('netcd', ['netcd']),
  prefixRule('napi', ['napi']),
  prefixRule('nctrl', ['nctrl', 'netcd-op']),
  prefixRule('comp', ['comp']),
  prefixRule('data', ['data']),
  prefixRule('base', ['base']),
  prefixRule('obs', ['obs']),
];

export type Classification =
  { kind: 'classified'; purposes: readonly Purpose[]; rule: string } | { kind: 'unclassified' };

export function classifyNode(name: string, rules: readonly ClassificationRule[]): Classification {
  for (const rule of rules) {
    if (rule.pattern.test(name)) return { kind: 'classified', purposes: rule.purposes, rule: rule.describe };
  }
  return { kind: 'unclassified' };
}

export function purposesOf(name: string, rules: readonly ClassificationRule[]): readonly Purpose[] {
  const c = classifyNode(name, rules);
  return c.kind === 'classified' ? c.purposes : [];
}
