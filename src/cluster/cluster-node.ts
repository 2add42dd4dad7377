/**
 * What the cluster tools need to know of a Node, taken from its API object (pure). Built from
 * plain JSON so the same code serves @kubernetes/client-node's V1Node and test fixtures.
 */
export interface ClusterNode {
  name: string;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  /** The first InternalIP address, as kubelet reports it. */
  internalIP: string | undefined;
  /** status.capacity.cpu and .memory as the quantity text the API gives. */
  cpuCapacity: string | undefined;
  memoryCapacity: string | undefined;
  /** kubectl's STATUS column. */
  status: string;
  creationTimestamp: string | undefined;
  kubeletVersion: string;
}

interface NodeLike {
  metadata?: {
    name?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: Date | string;
  };
  spec?: { unschedulable?: boolean };
  status?: {
    addresses?: { type: string; address: string }[];
    capacity?: Record<string, string>;
    conditions?: { type: string; status: string }[];
    nodeInfo?: { kubeletVersion?: string };
  };
}

function statusText(node: NodeLike): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  const state = ready === 'True' ? 'Ready' : ready === 'False' ? 'NotReady' : 'Unknown';
  return node.spec?.unschedulable === true ? `${state},SchedulingDisabled` : state;
}

function timestamp(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value instanceof Date ? value.toISOString() : value;
}

export function clusterNodeOf(node: NodeLike): ClusterNode {
  return {
    name: node.metadata?.name ?? '',
    labels: node.metadata?.labels ?? {},
    annotations: node.metadata?.annotations ?? {},
    internalIP: node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address,
    cpuCapacity: node.status?.capacity?.cpu,
    memoryCapacity: node.status?.capacity?.memory,
    status: statusText(node),
    creationTimestamp: timestamp(node.metadata?.creationTimestamp),
    kubeletVersion: node.status?.nodeInfo?.kubeletVersion ?? '',
  };
}

/** kubectl's ROLES column: node-role.kubernetes.io/<role> labels and kubernetes.io/role. */
export function nodeRoles(node: ClusterNode): string {
  const prefix = 'node-role.kubernetes.io/';
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.labels)) {
    if (key.startsWith(prefix) && key.length > prefix.length) roles.add(key.slice(prefix.length));
    else if (key === 'kubernetes.io/role' && value !== '') roles.add(value);
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}
