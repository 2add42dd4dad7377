/** API discovery documents for KOS's group, as an aggregated apiserver serves them. */
import { GROUP, VERSION } from '../../api/kos-types.js';
import { isNamespaced, subresourcesOf, type ResourceType } from '../../api/resource-type.js';

const groupVersion = { groupVersion: `${GROUP}/${VERSION}`, version: VERSION };

export function apiGroup(): Record<string, unknown> {
  return { name: GROUP, versions: [groupVersion], preferredVersion: groupVersion };
}

export function apiGroupList(): string {
  return JSON.stringify({ kind: 'APIGroupList', apiVersion: 'v1', groups: [apiGroup()] });
}

export function apiGroupDocument(): string {
  return JSON.stringify({ kind: 'APIGroup', apiVersion: 'v1', ...apiGroup() });
}

const OBJECT_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const SUBRESOURCE_VERBS: Record<string, string[]> = {
  status: ['get', 'patch', 'update'],
  finalize: ['update'],
};

/**
 * The APIResourceList entries of some kinds and their subresources, as kube-apiserver writes
 * them (it lists no deletecollection for namespaces, so neither do we).
 */
export function resourceEntries(
  types: readonly ResourceType[],
  categories?: readonly string[],
): Record<string, unknown>[] {
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
      ...(categories === undefined ? {} : { categories }),
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
  return resources;
}

export function apiResourceList(types: readonly ResourceType[]): string {
  return JSON.stringify({
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersion.groupVersion,
    resources: resourceEntries(types, ['kos']),
  });
}

/** What /version reports: the Kubernetes minor this server's behaviour follows. */
export function versionInfo(component: string): string {
  return JSON.stringify({
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0-kos-test',
    gitCommit: component,
    gitTreeState: 'clean',
    buildDate: '2026-11-23T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'node',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  });
}
