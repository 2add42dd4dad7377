/** Discovery documents of the kube front: the core group it serves and the group it aggregates. */
import { apiVersionOf, isNamespaced, subresourcesOf, type ResourceType } from '../../api/resource-type.js';

const OBJECT_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const SUBRESOURCE_VERBS: Record<string, string[]> = {
  status: ['get', 'patch', 'update'],
  finalize: ['update'],
};

/** `/api`: the legacy group's versions, and where clients reach this server. */
export function apiVersions(serverAddress: string): string {
  return JSON.stringify({
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  });
}

/** `/api/v1`: kube-apiserver lists no deletecollection for namespaces, so neither do we. */
export function coreResourceList(types: readonly ResourceType[]): string {
  const resources: Record<string, unknown>[] = [];
  for (const t of types) {
    resources.push({
      name: t.resource,
      singularName: t.singular,
      namespaced: isNamespaced(t),
      kind: t.kind,
      verbs:
        t.resource === 'namespaces' ? OBJECT_VERBS.filter((v) => v !== 'deletecollection') : OBJECT_VERBS,
      ...(t.shortNames.length > 0 ? { shortNames: t.shortNames } : {}),
    });
    for (const sub of subresourcesOf(t)) {
      resources.push({
        name: `${t.resource}/${sub}`,
        singularName: '',
        namespaced: isNamespaced(t),
        kind: t.kind,
        verbs: SUBRESOURCE_VERBS[sub] ?? [],
      });
    }
  }
  const groupVersion = types[0] === undefined ? 'v1' : apiVersionOf(types[0]);
  return JSON.stringify({ kind: 'APIResourceList', groupVersion, resources });
}
