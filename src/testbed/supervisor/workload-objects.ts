/**
 * The KOS workload objects the testbed keeps in its kube front, as a KOS cluster has them
 * (pure): the network-apiserver Deployment, the connection-agent DaemonSet (nodeSelector
 * `kos-role/comp: "true"`), and `default/kubernetes` Endpoints listing the kube fronts. Names
 * are the cluster target's defaults, so a spec needs only a kubeconfig and a Prometheus URL.
 */
import type { KosObject } from '../../api/meta.js';

export const KOS_NAMESPACE = 'example-com';
export const NAPI_DEPLOYMENT = 'network-apiserver';
export const AGENT_DAEMONSET = 'connection-agent';
export const COMP_LABEL = 'kos-role/comp';
export const APISERVER_ENDPOINTS = { namespace: 'default', name: 'kubernetes' } as const;

function workload(kind: 'Deployment' | 'DaemonSet', name: string, spec: Record<string, unknown>): KosObject {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: {
      name,
      namespace: KOS_NAMESPACE,
      labels: { app: name },
      annotations: { 'kos-test/testbed': 'true' },
    },
    spec,
  };
}

function template(name: string, podSpec: Record<string, unknown>): Record<string, unknown> {
  return {
    metadata: { labels: { app: name } },
    spec: { ...podSpec, containers: [{ name, image: `kos-test/testbed-${name}` }] },
  };
}

export function napiDeployment(replicas: number): KosObject {
  return workload('Deployment', NAPI_DEPLOYMENT, {
    replicas,
    selector: { matchLabels: { app: NAPI_DEPLOYMENT } },
    template: template(NAPI_DEPLOYMENT, { nodeSelector: { 'kos-role/napi': 'true' } }),
  });
}

export function agentDaemonSet(): KosObject {
  return workload('DaemonSet', AGENT_DAEMONSET, {
    selector: { matchLabels: { app: AGENT_DAEMONSET } },
    template: template(AGENT_DAEMONSET, { nodeSelector: { [COMP_LABEL]: 'true' } }),
  });
}

/** One subset per front: the fronts listen on different ports of their own addresses. */
export function apiserverEndpoints(frontUrls: readonly string[]): KosObject {
  const subsets = frontUrls.map((u) => {
    const url = new URL(u);
    return {
      addresses: [{ ip: url.hostname }],
      ports: [{ name: 'https', port: Number(url.port), protocol: 'TCP' }],
    };
  });
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: APISERVER_ENDPOINTS.name, namespace: APISERVER_ENDPOINTS.namespace },
    subsets,
  } as KosObject;
}

/** A pod template's nodeSelector (a DaemonSet's or Deployment's). */
export function nodeSelectorOf(obj: KosObject | undefined): Record<string, string> {
  const spec = (obj?.spec?.template as { spec?: { nodeSelector?: Record<string, string> } } | undefined)
    ?.spec;
  return spec?.nodeSelector ?? {};
}

/** The comp nodes a nodeSelector picks, as indices (compN), sorted; other names cannot run an agent. */
export function selectedComps(
  nodes: readonly { metadata: { name?: string; labels?: Record<string, string> } }[],
  selector: Readonly<Record<string, string>>,
): number[] {
  const picked: number[] = [];
  for (const n of nodes) {
    const labels = n.metadata.labels ?? {};
    if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) continue;
    const m = /^comp(0|[1-9]\d*)$/.exec(n.metadata.name ?? '');
    if (m?.[1] !== undefined) picked.push(Number(m[1]));
  }
  return picked.sort((a, b) => a - b);
}

export interface WorkloadTruth {
  /** Network-apiserver processes running and ready. */
  napiReady: number;
  /** Comp nodes whose agent group is running (every agent in it has done its first list). */
  agentNodes: readonly number[];
}

export function deploymentStatus(observedGeneration: number, truth: WorkloadTruth): Record<string, unknown> {
  const n = truth.napiReady;
  return withoutZeros({
    observedGeneration,
    replicas: n,
    updatedReplicas: n,
    readyReplicas: n,
    availableReplicas: n,
  });
}

/** Kubernetes leaves zero counts out of status (omitempty); readers take absent as 0. */
function withoutZeros(status: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(status).filter(([, v]) => v !== 0));
}

/** Counts as the DaemonSet controller keeps them, for the nodes `wanted` selects. */
export function daemonSetStatus(
  observedGeneration: number,
  wanted: readonly number[],
  truth: WorkloadTruth,
): Record<string, unknown> {
  const want = new Set(wanted);
  const onWanted = truth.agentNodes.filter((i) => want.has(i)).length;
  return withoutZeros({
    observedGeneration,
    desiredNumberScheduled: want.size,
    currentNumberScheduled: onWanted,
    numberReady: onWanted,
    updatedNumberScheduled: onWanted,
    numberAvailable: onWanted,
    numberUnavailable: want.size - onWanted,
    numberMisscheduled: truth.agentNodes.length - onWanted,
  });
}
