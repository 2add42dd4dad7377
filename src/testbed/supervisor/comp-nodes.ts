/**
 * The comp Node objects when the testbed itself places agents (`Testbed.scale`): candidates
 * comp0..max(compNodes, NCA)-1 exist, labelled kos-role/comp=true where an agent runs and false
 * elsewhere; Nodes beyond the candidates go. The plan is pure; the two I/O helpers below it read
 * and write the labels through the kube front.
 */
import type { RestClient } from '../../kube/rest-client.js';
import { nodeAddress, nodeName } from '../node-addresses.js';
import type { TestbedNode } from './testbed-layout.js';
import { COMP_LABEL } from './workload-objects.js';

export interface CompNodePlan {
  /** Register before the agents start, as a kubelet registers before its pods run. */
  create: TestbedNode[];
  labelTrue: number[];
  /** After the agents moved: these lose their agent. */
  labelFalse: number[];
  remove: string[];
}

/** `existing`: comp index -> its kos-role/comp value now. */
export function planCompNodes(
  existing: ReadonlyMap<number, string>,
  agents: readonly number[],
  compNodes: number,
): CompNodePlan {
  const want = new Set(agents);
  const candidates = Math.max(compNodes, ...agents.map((i) => i + 1));
  const create: TestbedNode[] = [];
  for (let i = 0; i < candidates; i++) {
    if (existing.has(i)) continue;
    const role = want.has(i) ? 'true' : 'false';
    create.push({ name: nodeName('comp', i), purpose: 'comp', address: nodeAddress('comp', i), role });
  }
  const kept = [...existing].filter(([i]) => i < candidates);
  return {
    create,
    labelTrue: kept.filter(([i, v]) => want.has(i) && v !== 'true').map(([i]) => i),
    labelFalse: kept.filter(([i, v]) => !want.has(i) && v !== 'false').map(([i]) => i),
    remove: [...existing.keys()].filter((i) => i >= candidates).map((i) => nodeName('comp', i)),
  };
}

const NODES = { group: '', version: 'v1', resource: 'nodes' };

/** Comp node index -> its kos-role/comp value, from the Node objects that have the key. */
export async function readCompLabels(front: RestClient): Promise<Map<number, string>> {
  const labels = new Map<number, string>();
  const list = await front.listAll(NODES, { labelSelector: COMP_LABEL });
  for (const n of list.items) {
    const m = /^comp(\d+)$/.exec(n.metadata.name ?? '');
    if (m?.[1] !== undefined) labels.set(Number(m[1]), n.metadata.labels?.[COMP_LABEL] ?? '');
  }
  return labels;
}

export async function writeCompLabels(
  front: RestClient,
  indices: readonly number[],
  value: 'true' | 'false',
): Promise<void> {
  for (let k = 0; k < indices.length; k += 16) {
    await Promise.all(
      indices
        .slice(k, k + 16)
        .map((i) =>
          front.patch(
            { ...NODES, name: nodeName('comp', i) },
            { metadata: { labels: { [COMP_LABEL]: value } } },
          ),
        ),
    );
  }
}
