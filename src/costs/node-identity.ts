/**
 * Which node a series belongs to and what the node is for, from labels (pure). The testbed's
 * exporter labels series `node` and `purpose`; on a cluster the Prometheus relabelling adds
 * `node` and carries each Node's `kos-role/<purpose>=true` labels as `kos_role_<purpose>="true"`.
 */
import { COSTED_PURPOSES } from '../measure/cost-table.js';

export const ROLE_LABEL_PREFIX = 'kos-role/';

/** The node a series is about: `node`, else the kubelet's hostname label, else the instance's host. */
export function seriesNode(labels: Readonly<Record<string, string>>): string | undefined {
  const direct = labels.node ?? labels.kubernetes_io_hostname;
  if (direct !== undefined && direct !== '') return direct;
  const instance = labels.instance;
  if (instance === undefined || instance === '') return undefined;
  return instance.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
}

/** The purpose a series' labels name: `purpose`, else the first `kos_role_<purpose>="true"`. */
export function seriesPurpose(labels: Readonly<Record<string, string>>): string | undefined {
  const direct = labels.purpose;
  if (direct !== undefined && direct !== '') return direct;
  const roles = Object.entries(labels)
    .filter(([k, v]) => k.startsWith('kos_role_') && v === 'true')
    .map(([k]) => k.slice('kos_role_'.length));
  return preferredPurpose(roles);
}

/** A Node's purpose from its labels: the first costed `kos-role/<p>=true`, else any role. */
export function nodeLabelPurpose(labels: Readonly<Record<string, string>>): string | undefined {
  const roles = Object.entries(labels)
    .filter(([k, v]) => k.startsWith(ROLE_LABEL_PREFIX) && v === 'true')
    .map(([k]) => k.slice(ROLE_LABEL_PREFIX.length));
  return preferredPurpose(roles);
}

function preferredPurpose(roles: readonly string[]): string | undefined {
  const costed = COSTED_PURPOSES.find((p) => roles.includes(p));
  return costed ?? [...roles].sort()[0];
}

/** comp2 before comp10: by the name's letters, then its number. */
export function byNodeName(a: string, b: string): number {
  const [pa, na] = splitName(a);
  const [pb, nb] = splitName(b);
  return pa < pb ? -1 : pa > pb ? 1 : na - nb || (a < b ? -1 : a > b ? 1 : 0);
}

function splitName(name: string): [string, number] {
  const m = /^(.*?)(\d+)$/.exec(name);
  return m?.[1] === undefined || m[2] === undefined ? [name, -1] : [m[1], Number(m[2])];
}

/** `a, b, c and 7 more`: node names in a one-line message. */
export function listSome(names: readonly string[], limit = 10): string {
  const head = names.slice(0, limit).join(', ');
  return names.length > limit ? `${head} and ${names.length - limit} more` : head;
}
