/**
 * Compares a cluster's nodes with a profile (pure): nodes per purpose, each node's CPU and
 * memory capacity, and nodes whose names no rule classifies. Every difference is listed.
 */
import { classifyNode } from './classify.js';
import type { ClusterNode } from './cluster-node.js';
import type { Profile } from './profile.js';
import { PURPOSES, type Purpose } from './purposes.js';
import { GIB, formatGiB, parseQuantity } from './quantity.js';

export interface Difference {
  /** A node name or `purpose <p>`. */
  subject: string;
  message: string;
}

export interface CheckResult {
  profile: string;
  nodeCount: number;
  /** Nodes per purpose, in canonical purpose order. */
  counts: ReadonlyMap<Purpose, readonly string[]>;
  differences: readonly Difference[];
}

function countDifference(
  purpose: Purpose,
  names: readonly string[],
  profile: Profile,
): Difference | undefined {
  const e = profile.expectations.get(purpose);
  const have = `${names.length} node${names.length === 1 ? '' : 's'}${names.length > 0 ? ` (${names.join(', ')})` : ''}`;
  const subject = `purpose ${purpose}`;
  if (e === undefined) {
    return names.length === 0 ? undefined : { subject, message: `${have}, profile ${profile.name} has none` };
  }
  if (e.count !== undefined && names.length !== e.count) {
    return { subject, message: `${have}, profile ${profile.name} wants ${e.count}` };
  }
  if (e.minCount !== undefined && names.length < e.minCount) {
    return { subject, message: `${have}, profile ${profile.name} wants at least ${e.minCount}` };
  }
  return undefined;
}

function capacityDifferences(
  node: ClusterNode,
  purposes: readonly Purpose[],
  profile: Profile,
): Difference[] {
  const out: Difference[] = [];
  const cpus = node.cpuCapacity === undefined ? undefined : parseQuantity(node.cpuCapacity);
  const memory = node.memoryCapacity === undefined ? undefined : parseQuantity(node.memoryCapacity);
  for (const purpose of purposes) {
    const e = profile.expectations.get(purpose);
    if (e?.cpus !== undefined) {
      if (cpus === undefined) {
        out.push({
          subject: node.name,
          message: `no usable CPU capacity (${node.cpuCapacity ?? 'none'}), ${purpose} wants ${e.cpus}`,
        });
      } else if (cpus !== e.cpus) {
        out.push({ subject: node.name, message: `${cpus} CPUs, ${purpose} wants ${e.cpus}` });
      }
    }
    if (e?.memoryGiB !== undefined) {
      const want = e.memoryGiB * GIB;
      const slack = want * profile.memoryTolerance;
      if (memory === undefined) {
        out.push({
          subject: node.name,
          message: `no usable memory capacity (${node.memoryCapacity ?? 'none'}), ${purpose} wants ${e.memoryGiB} GiB`,
        });
      } else if (memory < want - slack || memory > want + slack) {
        const pct = Math.round(profile.memoryTolerance * 100);
        out.push({
          subject: node.name,
          message: `memory ${formatGiB(memory)}, ${purpose} wants ${e.memoryGiB} GiB (within ${pct}%)`,
        });
      }
    }
  }
  return out;
}

export function checkProfile(nodes: readonly ClusterNode[], profile: Profile): CheckResult {
  const sorted = [...nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const byPurpose = new Map<Purpose, string[]>(PURPOSES.map((p) => [p, []]));
  const differences: Difference[] = [];
  const nodeDifferences: Difference[] = [];
  for (const node of sorted) {
    const c = classifyNode(node.name, profile.rules);
    if (c.kind === 'unclassified') {
      nodeDifferences.push({
        subject: node.name,
        message: `unclassified: no rule of profile ${profile.name} matches its name`,
      });
      continue;
    }
    for (const p of c.purposes) byPurpose.get(p)?.push(node.name);
    nodeDifferences.push(...capacityDifferences(node, c.purposes, profile));
  }
  for (const purpose of PURPOSES) {
    const d = countDifference(purpose, byPurpose.get(purpose) ?? [], profile);
    if (d !== undefined) differences.push(d);
  }
  const counts = new Map(
    [...byPurpose].filter(([p, names]) => names.length > 0 || profile.expectations.has(p)),
  );
  return {
    profile: profile.name,
    nodeCount: nodes.length,
    counts,
    differences: [...differences, ...nodeDifferences],
  };
}

export function renderCheck(result: CheckResult): string {
  const lines = [...result.counts].map(([p, names]) => `${p}: ${names.length}`);
  const head = `${result.nodeCount} nodes; per purpose: ${lines.join(', ')}`;
  if (result.differences.length === 0) return `${head}\nthe cluster matches profile ${result.profile}`;
  const diffs = result.differences.map((d) => `  ${d.subject}: ${d.message}`);
  return [head, `${result.differences.length} difference(s) from profile ${result.profile}:`, ...diffs].join(
    '\n',
  );
}
