/**
 * What `cluster label` would change on each node (pure): the `kos-role/<purpose>=true` labels
 * of its purposes, `prometheus.io/scrape=true` when the sampling rule picks it, and
 * `prometheus.io/scrape-etcd=true` on kube etcd nodes. Only what differs from the node's
 * current metadata is planned, so a second run plans nothing. Nothing is removed: like the
 * seed's `kubectl label --overwrite`, the tool only adds and corrects (see ADR 0008).
 */
import { textTable } from '../util/text-table.js';
import { classifyNode, type ClassificationRule } from './classify.js';
import type { ClusterNode } from './cluster-node.js';
import { SCRAPE_ANNOTATION, SCRAPE_ETCD_ANNOTATION, roleLabel, type Purpose } from './purposes.js';
import { isScrapeSampled } from './scrape-sampling.js';

export interface NodePlan {
  name: string;
  /** Empty when unclassified. */
  purposes: readonly Purpose[];
  classified: boolean;
  setLabels: Readonly<Record<string, string>>;
  setAnnotations: Readonly<Record<string, string>>;
}

export interface LabelPlan {
  clusterSize: number;
  nodes: readonly NodePlan[];
  /** The nodes with something to set. */
  changes: readonly NodePlan[];
  unclassified: readonly string[];
}

function missing(
  current: Readonly<Record<string, string>>,
  wanted: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(Object.entries(wanted).filter(([k, v]) => current[k] !== v));
}

export function planNode(
  node: ClusterNode,
  clusterSize: number,
  rules: readonly ClassificationRule[],
): NodePlan {
  const c = classifyNode(node.name, rules);
  const purposes = c.kind === 'classified' ? c.purposes : [];
  const labels: Record<string, string> = {};
  for (const p of purposes) labels[roleLabel(p)] = 'true';
  const annotations: Record<string, string> = {};
  if (isScrapeSampled(node.name, clusterSize)) annotations[SCRAPE_ANNOTATION] = 'true';
  if (purposes.includes('ketcd')) annotations[SCRAPE_ETCD_ANNOTATION] = 'true';
  return {
    name: node.name,
    purposes,
    classified: c.kind === 'classified',
    setLabels: missing(node.labels, labels),
    setAnnotations: missing(node.annotations, annotations),
  };
}

export function hasChanges(plan: NodePlan): boolean {
  return Object.keys(plan.setLabels).length + Object.keys(plan.setAnnotations).length > 0;
}

export function planLabels(nodes: readonly ClusterNode[], rules: readonly ClassificationRule[]): LabelPlan {
  const sorted = [...nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const planned = sorted.map((n) => planNode(n, nodes.length, rules));
  return {
    clusterSize: nodes.length,
    nodes: planned,
    changes: planned.filter(hasChanges),
    unclassified: planned.filter((p) => !p.classified).map((p) => p.name),
  };
}

/** The JSON merge patch (RFC 7386) that applies one node's plan. */
export function mergePatchOf(plan: NodePlan): { metadata: Record<string, Record<string, string>> } {
  const metadata: Record<string, Record<string, string>> = {};
  if (Object.keys(plan.setLabels).length > 0) metadata.labels = { ...plan.setLabels };
  if (Object.keys(plan.setAnnotations).length > 0) metadata.annotations = { ...plan.setAnnotations };
  return { metadata };
}

function pairs(record: Readonly<Record<string, string>>): string {
  const entries = Object.entries(record);
  return entries.length === 0 ? '-' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

/** The plan as a table: every node, its purposes and what would be set. */
export function renderPlanTable(plan: LabelPlan): string {
  const rows = plan.nodes.map((n) => [
    n.name,
    n.classified ? n.purposes.join(',') : '<unclassified>',
    pairs(n.setLabels),
    pairs(n.setAnnotations),
  ]);
  return textTable(['NODE', 'PURPOSES', 'SET LABELS', 'SET ANNOTATIONS'], rows);
}

/** One line on what the plan does (or did), for the end of the output. */
export function planSummary(plan: LabelPlan, applied: boolean): string {
  const unclassified =
    plan.unclassified.length === 0
      ? ''
      : `; ${plan.unclassified.length} unclassified (no purpose label): ${plan.unclassified.join(', ')}`;
  if (plan.changes.length === 0) {
    return `nothing to change: all ${plan.clusterSize} nodes already labelled and annotated${unclassified}`;
  }
  const verb = applied ? 'changed' : 'would change';
  return `${verb} ${plan.changes.length} of ${plan.clusterSize} nodes${unclassified}`;
}
