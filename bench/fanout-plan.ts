/**
 * The watch mix and write schedule of watch-fanout, as pure data. Like KOS agents, half the
 * watches select one node's attachments (`spec.node=comp<i>`, one watch per node) and half select
 * one virtual network's (`status.addressVNI=<v>`, WATCHERS_PER_VNI watches per VNI, as the agents
 * of a VN's nodes each watch it). Writes alternate: a create of attachment k on node
 * comp<k mod nodes>, then a status write that gives an earlier attachment its address in VNI
 * 1 + (k mod vnis). So every create is delivered to exactly one node watch, and every status
 * write to its node watch (MODIFIED) plus each watch of its VNI (ADDED): nothing is ambiguous
 * when delivered events are counted against expected ones.
 */

export const WATCHERS_PER_VNI = 10;

export type WatchKind = 'node' | 'vni';

export interface WatchSpec {
  kind: WatchKind;
  /** e.g. `spec.node=comp7` or `status.addressVNI=42` */
  fieldSelector: string;
}

export interface FanoutPlan {
  nodes: number;
  vnis: number;
  watches: WatchSpec[];
  /** Watches on VNI v at index v - 1. */
  watchersOfVni: number[];
}

export function nodeName(i: number): string {
  return `comp${i}`;
}

export function planFanout(totalWatches: number): FanoutPlan {
  const nodes = Math.ceil(totalWatches / 2);
  const vniWatches = totalWatches - nodes;
  const vnis = Math.max(1, Math.ceil(vniWatches / WATCHERS_PER_VNI));
  const watchersOfVni = new Array<number>(vnis).fill(0);
  const watches: WatchSpec[] = [];
  for (let i = 0; i < nodes; i++) watches.push({ kind: 'node', fieldSelector: `spec.node=${nodeName(i)}` });
  for (let i = 0; i < vniWatches; i++) {
    const vni = 1 + (i % vnis);
    watchersOfVni[vni - 1] = (watchersOfVni[vni - 1] ?? 0) + 1;
    watches.push({ kind: 'vni', fieldSelector: `status.addressVNI=${vni}` });
  }
  return { nodes, vnis, watches, watchersOfVni };
}

/** Attachment k: its name, its node, and the VNI its address is assigned in. */
export function attachmentOf(plan: FanoutPlan, k: number): { name: string; node: string; vni: number } {
  return { name: `a-${k}`, node: nodeName(k % plan.nodes), vni: 1 + (k % plan.vnis) };
}

/** Deliveries one successful write causes, by kind of watch. */
export function expectedDeliveries(
  plan: FanoutPlan,
  write: { kind: 'create' } | { kind: 'status'; k: number },
): Record<WatchKind, number> {
  if (write.kind === 'create') return { node: 1, vni: 0 };
  const vni = attachmentOf(plan, write.k).vni;
  return { node: 1, vni: plan.watchersOfVni[vni - 1] ?? 0 };
}

/**
 * Write number j of a phase (counted from 0 across warm-up and window): even j create
 * attachment j/2; odd j assign the address of the attachment created `lag` creates earlier
 * (none while fewer than `lag` exist), so its create has long been answered.
 */
export function writeAt(
  j: number,
  lag: number,
): { kind: 'create'; k: number } | { kind: 'status'; k: number | undefined } {
  const k = Math.floor(j / 2);
  if (j % 2 === 0) return { kind: 'create', k };
  return { kind: 'status', k: k >= lag ? k - lag : undefined };
}
