/**
 * The nodes of a run on a cluster: comp = Nodes labelled kos-role/comp=true plus the nodes of the
 * connection-agent's Pods; napi = the nodes of the network-apiserver's Pods; kapi = the nodes the
 * kube-apiserver Endpoints point at; netcd, ketcd, kctrl, nctrl = their labelled Nodes (kos-test
 * does not change those). The rule is pure; reading the objects is the I/O function below it.
 */
import { ApiException, type AppsV1Api, type CoreV1Api, type V1LabelSelector } from '@kubernetes/client-node';
import { byNodeName, nodeLabelPurpose, ROLE_LABEL_PREFIX } from '../../costs/node-identity.js';
import type { RunNode } from '../../measure/cost-table.js';
import { runNodesOf } from './run-nodes.js';
import type { ClusterTargetSpec } from '../spec/spec-schema.js';

export interface ClusterNodeFacts {
  nodes: readonly { name: string; labels: Readonly<Record<string, string>>; addresses: readonly string[] }[];
  /** Nodes of the agent Pods; undefined when the cluster serves no Pods (the testbed's emulation) or the selector has no matchLabels. */
  agentPodNodes: readonly string[] | undefined;
  napiPodNodes: readonly string[] | undefined;
  endpoints: readonly { ip: string; nodeName?: string | undefined }[];
  /** The run's NNA: without Pods, the replicas are taken to be on the first NNA napi Nodes by name. */
  nna: number;
}

export function clusterRunNodes(f: ClusterNodeFacts): { nodes: RunNode[]; notes: string[] } {
  const notes: string[] = [];
  const labelled = (p: string): string[] =>
    f.nodes
      .filter((n) => nodeLabelPurpose(n.labels) === p)
      .map((n) => n.name)
      .sort(byNodeName);
  const byAddress = new Map(f.nodes.flatMap((n) => n.addresses.map((a): [string, string] => [a, n.name])));
  let napi = f.napiPodNodes;
  if (napi === undefined) {
    napi = labelled('napi').slice(0, f.nna);
    notes.push(`the cluster serves no Pods: network-apiserver replicas taken on ${napi.join(', ')}`);
  }
  let kapi = f.endpoints.flatMap((e) => {
    const node = e.nodeName ?? byAddress.get(e.ip);
    return node === undefined ? [] : [node];
  });
  if (kapi.length === 0) {
    kapi = labelled('kapi');
    notes.push('no kube-apiserver endpoint is on a Node: took the kos-role/kapi Nodes');
  }
  const fixed = ['netcd', 'ketcd', 'kctrl', 'nctrl'].flatMap((p) =>
    labelled(p).map((node) => ({ node, purpose: p })),
  );
  const nodes = runNodesOf({
    compLabelled: f.nodes.filter((n) => n.labels[`${ROLE_LABEL_PREFIX}comp`] === 'true').map((n) => n.name),
    running: [
      ...(f.agentPodNodes ?? []).map((node) => ({ node, purpose: 'comp' })),
      ...napi.map((node) => ({ node, purpose: 'napi' })),
      ...kapi.map((node) => ({ node, purpose: 'kapi' })),
      ...fixed,
    ],
  });
  return { nodes, notes };
}

/** Reads what clusterRunNodes needs through the Kubernetes API. */
export async function readClusterNodeFacts(
  core: CoreV1Api,
  apps: AppsV1Api,
  spec: ClusterTargetSpec,
  nna: number,
): Promise<ClusterNodeFacts> {
  const { namespace, networkApiserver, connectionAgent } = spec.kos;
  const [nodes, ep, d, ds] = await Promise.all([
    core.listNode(),
    core.readNamespacedEndpoints({
      name: spec.kubeApiserver.endpoints,
      namespace: spec.kubeApiserver.namespace,
    }),
    apps.readNamespacedDeployment({ name: networkApiserver, namespace }),
    apps.readNamespacedDaemonSet({ name: connectionAgent, namespace }),
  ]);
  const podNodes = async (selector: V1LabelSelector | undefined): Promise<string[] | undefined> => {
    const labelSelector = Object.entries(selector?.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    // Without matchLabels every Pod of the namespace would match: take it as unknown.
    if (labelSelector === '') return undefined;
    try {
      const pods = await core.listNamespacedPod({ namespace, labelSelector });
      return pods.items
        .filter((p) => p.status?.phase === 'Running' && p.metadata?.deletionTimestamp === undefined)
        .flatMap((p) => (p.spec?.nodeName === undefined ? [] : [p.spec.nodeName]));
    } catch (e: unknown) {
      if (e instanceof ApiException && e.code === 404) return undefined;
      throw e;
    }
  };
  const [agentPodNodes, napiPodNodes] = await Promise.all([
    podNodes(ds.spec?.selector),
    podNodes(d.spec?.selector),
  ]);
  return {
    nodes: nodes.items.map((n) => ({
      name: n.metadata?.name ?? '',
      labels: n.metadata?.labels ?? {},
      addresses: (n.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address),
    })),
    agentPodNodes,
    napiPodNodes,
    endpoints: (ep.subsets ?? []).flatMap((s) =>
      (s.addresses ?? []).map((a) => ({ ip: a.ip, nodeName: a.nodeName })),
    ),
    nna,
  };
}
