/**
 * Discovery of the `apps` group the kube front serves beside `network.example.com` (which it
 * aggregates): `/apis` lists both, `/apis/apps/v1` lists deployments (with `scale`, whose kind is
 * autoscaling/v1 Scale, as kubectl's scale client looks it up) and daemonsets.
 */
import { apiVersionOf, type ResourceType } from '../../api/resource-type.js';
import { apiGroup, resourceEntries } from '../napi/discovery.js';
import { AUTHORIZATION, groupEntry, METRICS } from './extra-groups.js';

const APPS_VERSION = { groupVersion: 'apps/v1', version: 'v1' };

function appsGroup(): Record<string, unknown> {
  return { name: 'apps', versions: [APPS_VERSION], preferredVersion: APPS_VERSION };
}

/** `/apis`: apps, the groups served without storage (extra-groups.ts), and the aggregated one. */
export function frontGroupList(withApps: boolean): string {
  return JSON.stringify({
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...(withApps ? [appsGroup()] : []), groupEntry(AUTHORIZATION), groupEntry(METRICS), apiGroup()],
  });
}

export function appsGroupDocument(): string {
  return JSON.stringify({ kind: 'APIGroup', apiVersion: 'v1', ...appsGroup() });
}

export function appsResourceList(types: readonly ResourceType[]): string {
  const resources = resourceEntries(types, ['all']);
  if (types.some((t) => t.resource === 'deployments'))
    resources.push({
      name: 'deployments/scale',
      singularName: '',
      namespaced: true,
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
      verbs: ['get', 'patch', 'update'],
    });
  return JSON.stringify({
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: types[0] === undefined ? APPS_VERSION.groupVersion : apiVersionOf(types[0]),
    resources,
  });
}
