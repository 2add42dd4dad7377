/** API discovery documents for KOS's group, as an aggregated apiserver serves them. */
import { GROUP, VERSION } from '../../api/kos-types.js';
import type { ResourceType } from '../../api/resource-type.js';

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

export function apiResourceList(types: readonly ResourceType[]): string {
  const resources: Record<string, unknown>[] = [];
  for (const t of types) {
    resources.push({
      name: t.resource,
      singularName: t.singular,
      namespaced: true,
      kind: t.kind,
      verbs: OBJECT_VERBS,
      ...(t.shortNames.length > 0 ? { shortNames: t.shortNames } : {}),
      categories: ['kos'],
    });
    if (t.hasStatus) {
      resources.push({
        name: `${t.resource}/status`,
        singularName: '',
        namespaced: true,
        kind: t.kind,
        verbs: ['get', 'patch', 'update'],
      });
    }
  }
  return JSON.stringify({
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersion.groupVersion,
    resources,
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
