/** Maps a kube front request path onto what serves it (pure; no I/O). */
import { GROUP } from '../../api/kos-types.js';
import type { ResourceType } from '../../api/resource-type.js';
import { resourceRouteOf, type ResourceRoute } from '../napi/routes.js';

export type FrontRoute =
  /** A core (`/api/v1`) resource this server stores itself. */
  | { kind: 'core'; route: ResourceRoute }
  /** Anything under `/apis/network.example.com/<version>`: proxied to a network-apiserver. */
  | { kind: 'aggregated' }
  | { kind: 'document'; which: 'api' | 'core' | 'apis' | 'group' }
  | { kind: 'plain'; what: 'version' | 'healthz' | 'readyz' | 'livez' | 'metrics' }
  | { kind: 'unknown' };

const GROUP_PATH = `/apis/${GROUP}`;

export function frontRouteOf(pathname: string, core: readonly ResourceType[]): FrontRoute {
  if (pathname.startsWith(`${GROUP_PATH}/`) && pathname.length > GROUP_PATH.length + 1) {
    return { kind: 'aggregated' };
  }
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  switch (path) {
    case '/api':
      return { kind: 'document', which: 'api' };
    case '/api/v1':
      return { kind: 'document', which: 'core' };
    case '/apis':
      return { kind: 'document', which: 'apis' };
    case GROUP_PATH:
      return { kind: 'document', which: 'group' };
    case '/version':
      return { kind: 'plain', what: 'version' };
    case '/metrics':
      return { kind: 'plain', what: 'metrics' };
  }
  for (const what of ['healthz', 'readyz', 'livez'] as const) {
    if (path === `/${what}` || path.startsWith(`/${what}/`)) return { kind: 'plain', what };
  }
  if (!path.startsWith('/api/v1/')) return { kind: 'unknown' };
  const route = resourceRouteOf(path.slice('/api/v1/'.length), core);
  return route === undefined ? { kind: 'unknown' } : { kind: 'core', route };
}
