/**
 * The two API groups the kube front serves without storing anything, as kube-apiserver and
 * metrics-server do: `authorization.k8s.io/v1` (SelfSubjectAccessReview: the testbed has no
 * authorization, so everything is allowed) and `metrics.k8s.io/v1beta1` (NodeMetrics and
 * PodMetrics). Their discovery documents and paths (pure).
 */

export const AUTHORIZATION = { group: 'authorization.k8s.io', version: 'v1' } as const;
export const METRICS = { group: 'metrics.k8s.io', version: 'v1beta1' } as const;

type Group = { group: string; version: string };

function versionEntry(g: Group): { groupVersion: string; version: string } {
  return { groupVersion: `${g.group}/${g.version}`, version: g.version };
}

/** An `/apis` group entry. */
export function groupEntry(g: Group): Record<string, unknown> {
  return { name: g.group, versions: [versionEntry(g)], preferredVersion: versionEntry(g) };
}

const RESOURCES: Record<string, Record<string, unknown>[]> = {
  [AUTHORIZATION.group]: [
    {
      name: 'selfsubjectaccessreviews',
      singularName: 'selfsubjectaccessreview',
      namespaced: false,
      kind: 'SelfSubjectAccessReview',
      verbs: ['create'],
    },
  ],
  [METRICS.group]: [
    { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
    { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
  ],
};

export type ExtraRoute =
  | { kind: 'extraGroup'; group: Group }
  | { kind: 'extraVersion'; group: Group }
  | { kind: 'accessReview' }
  | {
      kind: 'resourceMetrics';
      resource: 'nodes' | 'pods';
      namespace: string | undefined;
      name: string | undefined;
    };

const NODE_METRICS = /^nodes(?:\/([^/]+))?$/;
const POD_METRICS = /^(?:namespaces\/([^/]+)\/)?pods(?:\/([^/]+))?$/;

/** The route of a path under `/apis/<one of the two groups>`, or undefined. */
export function extraRouteOf(path: string): ExtraRoute | undefined {
  for (const g of [AUTHORIZATION, METRICS]) {
    const base = `/apis/${g.group}`;
    if (path === base) return { kind: 'extraGroup', group: g };
    if (path === `${base}/${g.version}`) return { kind: 'extraVersion', group: g };
    if (!path.startsWith(`${base}/${g.version}/`)) continue;
    const rest = path.slice(base.length + g.version.length + 2);
    if (g === AUTHORIZATION)
      return rest === 'selfsubjectaccessreviews' ? { kind: 'accessReview' } : undefined;
    const node = NODE_METRICS.exec(rest);
    if (node !== null)
      return { kind: 'resourceMetrics', resource: 'nodes', namespace: undefined, name: decode(node[1]) };
    const pod = POD_METRICS.exec(rest);
    if (pod !== null)
      return { kind: 'resourceMetrics', resource: 'pods', namespace: decode(pod[1]), name: decode(pod[2]) };
  }
  return undefined;
}

function decode(part: string | undefined): string | undefined {
  return part === undefined ? undefined : decodeURIComponent(part);
}

export function extraGroupDocument(g: Group): string {
  return JSON.stringify({ kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(g) });
}

export function extraResourceList(g: Group): string {
  return JSON.stringify({
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: `${g.group}/${g.version}`,
    resources: RESOURCES[g.group] ?? [],
  });
}
