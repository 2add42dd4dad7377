/** Maps a kube front request path onto what serves it (pure; no I/O). */
import { GROUP } from '../../api/kos-types.js';
import type { ResourceType } from '../../api/resource-type.js';
import { openApiRouteOf, type OpenApiRoute } from '../napi/openapi-handler.js';
import { resourceRouteOf, type ResourceRoute } from '../napi/routes.js';
import { extraRouteOf, type ExtraRoute } from './extra-groups.js';

export type FrontRoute =
  /** A core (`/api/v1`) resource this server stores itself. */
  | { kind: 'core'; route: ResourceRoute }
  /** An `apps/v1` resource this server stores itself (Deployments, DaemonSets). */
  | { kind: 'apps'; route: ResourceRoute }
  /** `deployments/<name>/scale`: the autoscaling/v1 Scale view of a Deployment. */
  | { kind: 'scale'; namespace: string; name: string }
  /** Anything under `/apis/network.example.com/<version>`: proxied to a network-apiserver. */
  | { kind: 'aggregated' }
  | { kind: 'document'; which: 'api' | 'core' | 'apis' | 'group' | 'appsGroup' | 'appsVersion' }
  | { kind: 'plain'; what: 'version' | 'healthz' | 'readyz' | 'livez' | 'metrics' }
  | OpenApiRoute
  /** authorization.k8s.io and metrics.k8s.io, served without storage. */
  | ExtraRoute
  | { kind: 'unknown' };

const GROUP_PATH = `/apis/${GROUP}`;
const APPS_PATH = '/apis/apps';
const APPS_VERSION_PATH = `${APPS_PATH}/v1`;
const SCALE = /^namespaces\/([^/]+)\/deployments\/([^/]+)\/scale$/;

export function frontRouteOf(
  pathname: string,
  core: readonly ResourceType[],
  apps: readonly ResourceType[] = [],
): FrontRoute {
  const openApi = openApiRouteOf(pathname);
  if (openApi !== undefined) return openApi;
  if (pathname.startsWith(`${GROUP_PATH}/`) && pathname.length > GROUP_PATH.length + 1) {
    return { kind: 'aggregated' };
  }
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  const extra = extraRouteOf(path);
  if (extra !== undefined) return extra;
  switch (path) {
    case '/api':
      return { kind: 'document', which: 'api' };
    case '/api/v1':
      return { kind: 'document', which: 'core' };
    case '/apis':
      return { kind: 'document', which: 'apis' };
    case GROUP_PATH:
      return { kind: 'document', which: 'group' };
    case APPS_PATH:
      if (apps.length > 0) return { kind: 'document', which: 'appsGroup' };
      break;
    case APPS_VERSION_PATH:
      if (apps.length > 0) return { kind: 'document', which: 'appsVersion' };
      break;
    case '/version':
      return { kind: 'plain', what: 'version' };
    case '/metrics':
      return { kind: 'plain', what: 'metrics' };
  }
  for (const what of ['healthz', 'readyz', 'livez'] as const) {
    if (path === `/${what}` || path.startsWith(`/${what}/`)) return { kind: 'plain', what };
  }
  if (apps.length > 0 && path.startsWith(`${APPS_VERSION_PATH}/`)) return appsRouteOf(path, apps);
  if (!path.startsWith('/api/v1/')) return { kind: 'unknown' };
  const route = resourceRouteOf(path.slice('/api/v1/'.length), core);
  return route === undefined ? { kind: 'unknown' } : { kind: 'core', route };
}

function appsRouteOf(path: string, apps: readonly ResourceType[]): FrontRoute {
  const rest = path.slice(APPS_VERSION_PATH.length + 1);
  const scale = SCALE.exec(rest);
  if (scale?.[1] !== undefined && scale[2] !== undefined && apps.some((t) => t.resource === 'deployments')) {
    try {
      return { kind: 'scale', namespace: decodeURIComponent(scale[1]), name: decodeURIComponent(scale[2]) };
    } catch {
      return { kind: 'unknown' };
    }
  }
  const route = resourceRouteOf(rest, apps);
  return route === undefined ? { kind: 'unknown' } : { kind: 'apps', route };
}
