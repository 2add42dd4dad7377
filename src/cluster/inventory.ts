/**
 * The seed's L1 inventory as Ansible INI text (pure): group `[<cluster>_L1]`, one line per
 * node with its InternalIP as the host, `nodename=<name>` and `kos_role_<purpose>=yes` for
 * each of its purposes.
 */
import { KosTestError } from '../util/errors.js';
import { purposesOf, type ClassificationRule } from './classify.js';
import type { ClusterNode } from './cluster-node.js';
import { inventoryVariable } from './purposes.js';

/** Ansible warns about group names that are not identifiers, so the cluster name must be one. */
const CLUSTER_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

export function checkClusterName(name: string): string {
  if (!CLUSTER_NAME.test(name)) {
    throw new KosTestError({
      what: 'bad cluster name',
      value: JSON.stringify(name),
      fix: 'start with a letter and use only letters, digits and _ (it becomes an Ansible group name)',
    });
  }
  return name;
}

export function inventoryGroup(clusterName: string): string {
  return `${clusterName}_L1`;
}

export function renderInventory(
  clusterName: string,
  nodes: readonly ClusterNode[],
  rules: readonly ClassificationRule[],
): string {
  const group = inventoryGroup(checkClusterName(clusterName));
  const noAddress = nodes.filter((n) => n.internalIP === undefined).map((n) => n.name);
  if (noAddress.length > 0) {
    throw new KosTestError({
      what: 'nodes without an InternalIP address cannot be inventory hosts',
      value: noAddress.join(', '),
      fix: 'check that their kubelets report status.addresses',
    });
  }
  const byAddress = new Map<string, string>();
  for (const n of nodes) {
    const other = byAddress.get(n.internalIP ?? '');
    if (other !== undefined) {
      throw new KosTestError({
        what: 'two nodes share one InternalIP, so Ansible would merge them',
        value: `${other} and ${n.name} (${n.internalIP ?? ''})`,
        fix: 'give each node its own address',
      });
    }
    byAddress.set(n.internalIP ?? '', n.name);
  }
  const sorted = [...nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lines = sorted.map((n) =>
    [
      n.internalIP ?? '',
      `nodename=${n.name}`,
      ...purposesOf(n.name, rules).map((p) => `${inventoryVariable(p)}=yes`),
    ].join(' '),
  );
  return `# Written by kos-test cluster inventory ${clusterName}; regenerate rather than edit.\n[${group}]\n${lines.join('\n')}\n`;
}
