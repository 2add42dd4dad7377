/** Maps a request path onto what it addresses, Kubernetes-style (pure; no I/O). */
import { GROUP, VERSION } from '../../api/kos-types.js';
import {
  isNamespaced,
  subresourcesOf,
  type ResourceType,
  type Subresource,
} from '../../api/resource-type.js';
import { KOS_RESOURCES } from '../../api/resource-types.js';
import { openApiRouteOf, type OpenApiRoute } from './openapi-handler.js';

export type ResourceRoute = {
  kind: 'resource';
  type: ResourceType;
  /** Undefined for cluster-scoped resources and for collections across namespaces. */
  namespace: string | undefined;
  name: string | undefined;
  subresource: Subresource | undefined;
};

export type Route =
  | ResourceRoute
  | { kind: 'discovery'; level: 'apis' | 'group' | 'version' }
  | { kind: 'plain'; what: 'version' | 'healthz' | 'readyz' | 'livez' | 'metrics' }
  | OpenApiRoute
  | { kind: 'unknown' };

const GROUP_PREFIX = `/apis/${GROUP}`;
const VERSION_PREFIX = `${GROUP_PREFIX}/${VERSION}`;

export function routeOf(pathname: string): Route {
  const openApi = openApiRouteOf(pathname);
  if (openApi !== undefined) return openApi;
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  switch (path) {
    case '/apis':
      return { kind: 'discovery', level: 'apis' };
    case GROUP_PREFIX:
      return { kind: 'discovery', level: 'group' };
    case VERSION_PREFIX:
      return { kind: 'discovery', level: 'version' };
    case '/version':
      return { kind: 'plain', what: 'version' };
    case '/metrics':
      return { kind: 'plain', what: 'metrics' };
  }
  if (path === '/healthz' || path.startsWith('/healthz/')) return { kind: 'plain', what: 'healthz' };
  if (path === '/readyz' || path.startsWith('/readyz/')) return { kind: 'plain', what: 'readyz' };
  if (path === '/livez' || path.startsWith('/livez/')) return { kind: 'plain', what: 'livez' };
  if (!path.startsWith(`${VERSION_PREFIX}/`)) return { kind: 'unknown' };
  return resourceRouteOf(path.slice(VERSION_PREFIX.length + 1), KOS_RESOURCES) ?? { kind: 'unknown' };
}

/**
 * Resolves the part of a path after a group version's prefix (`namespaces/<ns>/<resource>/<name>/
 * <subresource>`, or `<resource>[/<name>[/<subresource>]]`) against the resources served there.
 * Undefined when it names nothing served: the caller answers 404.
 */
export function resourceRouteOf(rest: string, resources: readonly ResourceType[]): ResourceRoute | undefined {
  const parts = rest.split('/').map(decodeSegment);
  if (parts.some((p) => p === undefined || p === '')) return undefined;
  const segs = parts as string[];
  const find = (resource: string | undefined): ResourceType | undefined =>
    resource === undefined ? undefined : resources.find((r) => r.resource === resource);
  let namespace: string | undefined;
  if (segs[0] === 'namespaces' && segs.length >= 3) {
    // `namespaces/<name>/<subresource>` addresses the namespace object itself, when it is served.
    const namespaces = find('namespaces');
    const sub = segs[2];
    if (segs.length === 3 && namespaces !== undefined && subresourcesOf(namespaces).some((s) => s === sub)) {
      return {
        kind: 'resource',
        type: namespaces,
        namespace: undefined,
        name: segs[1],
        subresource: sub as Subresource,
      };
    }
    namespace = segs[1];
    segs.splice(0, 2);
  }
  const [resource, name, sub, ...more] = segs;
  const type = find(resource);
  if (type === undefined || more.length > 0) return undefined;
  const subresource = subresourcesOf(type).find((s) => s === sub);
  if (sub !== undefined && subresource === undefined) return undefined;
  if (isNamespaced(type)) {
    // Named objects are namespaced; only collections may be addressed across namespaces.
    if (name !== undefined && namespace === undefined) return undefined;
  } else if (namespace !== undefined) {
    return undefined;
  }
  return { kind: 'resource', type, namespace, name, subresource };
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
