/**
 * Node purposes classified (cluster): every Node has a `kos-role/<purpose>` label, and every
 * costed purpose has at least one Node, so each cost lands in a purpose and none is missing.
 */
import { COSTED_PURPOSES } from '../../measure/cost-table.js';
import type { CheckResult } from '../check-result.js';
import type { SelftestCheck } from '../selftest-check.js';

/** `purposes`: node -> purpose, undefined for a node without a kos-role label (pure). */
export function judgeNodePurposes(purposes: Readonly<Record<string, string | undefined>>): CheckResult {
  const nodes = Object.keys(purposes);
  const unclassified = nodes.filter((n) => purposes[n] === undefined);
  const absent = COSTED_PURPOSES.filter((p) => !nodes.some((n) => purposes[n] === p));
  const problems = [
    ...(unclassified.length === 0 ? [] : [`unclassified: ${unclassified.slice(0, 5).join(', ')}`]),
    ...(absent.length === 0 ? [] : [`no node for: ${absent.join(', ')}`]),
  ];
  return {
    check: 'node purposes classified',
    expected: `every node has a purpose; each of ${COSTED_PURPOSES.join(', ')} has a node`,
    measured: `${nodes.length - unclassified.length} of ${nodes.length} nodes classified`,
    pass: nodes.length > 0 && problems.length === 0,
    ...(problems.length === 0 ? {} : { note: problems.join('; ') }),
  };
}

export function nodePurposesCheck(deps: {
  purposes: () => Promise<Readonly<Record<string, string | undefined>>>;
}): SelftestCheck {
  return { name: 'node purposes', run: async () => [judgeNodePurposes(await deps.purposes())] };
}
