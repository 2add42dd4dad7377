/** Applies a label plan through the node API: one merge patch per node that needs one. */
import type { NodeApi } from './kube-nodes.js';
import { mergePatchOf, type LabelPlan } from './label-plan.js';

/** A few patches in flight: quick on a 5,000-node cluster, gentle on its apiserver. */
const IN_FLIGHT = 8;

export async function applyLabelPlan(api: NodeApi, plan: LabelPlan, inFlight = IN_FLIGHT): Promise<number> {
  const queue = [...plan.changes];
  let done = 0;
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      await api.mergePatchNode(next.name, mergePatchOf(next));
      done++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, queue.length) }, worker));
  return done;
}
