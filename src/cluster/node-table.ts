/**
 * `cluster show`: the table the seed reads from
 * `kubectl get Node -L kos-role/ketcd,kos-role/kapi,...` (pure), laid out as kubectl lays out
 * its tables (Go's tabwriter: cells padded by 3, columns at least 10 wide).
 */
import { humanAge } from '../api/human-age.js';
import { nodeRoles, type ClusterNode } from './cluster-node.js';
import { SHOWN_PURPOSES, roleLabel } from './purposes.js';

const MIN_WIDTH = 10;
const PADDING = 3;

export function kubectlLayout(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      if (i < row.length - 1) widths[i] = Math.max(widths[i] ?? MIN_WIDTH, cell.length + PADDING);
    });
  }
  return rows
    .map((row) => row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell)).join(''))
    .join('\n');
}

export function nodeTable(nodes: readonly ClusterNode[], nowMs: number): string {
  const labels = SHOWN_PURPOSES.map(roleLabel);
  const header = ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', ...SHOWN_PURPOSES.map((p) => p.toUpperCase())];
  const rows = nodes.map((n) => [
    n.name,
    n.status,
    nodeRoles(n),
    humanAge(n.creationTimestamp, nowMs),
    n.kubeletVersion,
    ...labels.map((l) => n.labels[l] ?? ''),
  ]);
  return kubectlLayout([header, ...rows]);
}
