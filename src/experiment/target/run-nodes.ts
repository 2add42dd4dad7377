/**
 * The nodes of a run (pure): the nodes its configuration uses, one rule for every purpose. comp:
 * the nodes labelled kos-role/comp=true for the run plus any other node that really runs an
 * agent; napi: the network-apiserver replicas' nodes; the others: the nodes their component runs
 * on. A node an earlier run scaled up and this one scaled away is not among them, so its cost
 * series are listed apart and never flag the run.
 */
import { COSTED_PURPOSES, type RunNode } from '../../measure/cost-table.js';
import { byNodeName } from '../../costs/node-identity.js';

export interface RunNodeFacts {
  /** Nodes labelled kos-role/comp=true (the runner labelled them for this run). */
  compLabelled: readonly string[];
  /** Where a component of the run really runs, with its purpose (an agent's node: comp). */
  running: readonly RunNode[];
}

const costed: ReadonlySet<string> = new Set(COSTED_PURPOSES);

/** Costed nodes only, each once (a labelled comp node first keeps purpose comp), by purpose then name. */
export function runNodesOf(f: RunNodeFacts): RunNode[] {
  const purposeOf = new Map<string, string>();
  for (const node of f.compLabelled) purposeOf.set(node, 'comp');
  for (const n of f.running) if (!purposeOf.has(n.node)) purposeOf.set(n.node, n.purpose);
  const rank = (p: string): number => COSTED_PURPOSES.indexOf(p as (typeof COSTED_PURPOSES)[number]);
  return [...purposeOf]
    .filter(([, p]) => costed.has(p))
    .map(([node, purpose]) => ({ node, purpose }))
    .sort((a, b) => rank(a.purpose) - rank(b.purpose) || byNodeName(a.node, b.node));
}
