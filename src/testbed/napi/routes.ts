/** Maps a request path onto what it addresses, Kubernetes-style (pure; no I/O). */
import { GROUP, VERSION } from '../../api/kos-types.js';
import type { ResourceType } from '../../api/resource-type.js';
import { resourceByName } from '../../api/resource-types.js';

export type Route =
  | {
      kind: 'resource';
      type: ResourceType;
      namespace: string | undefined;
      name: string | undefined;
      subresource: 'status' | undefined;
    }
  | { kind: 'discovery'; level: 'apis' | 'group' | 'version' }
  | { kind: 'plain'; what: 'version' | 'healthz' | 'readyz' | 'livez' | 'metrics' }
  | { kind: 'unknown' };

const GROUP_PREFIX = `/apis/${GROUP}`;
const VERSION_PREFIX = `${GROUP_PREFIX}/${VERSION}`;

export function routeOf(pathname: string): Route {
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
  const parts = path
    .slice(VERSION_PREFIX.length + 1)
    .split('/')
    .map(decodeSegment);
  if (parts.some((p) => p === undefined || p === '')) return { kind: 'unknown' };
  const segs = parts as string[];
  let namespace: string | undefined;
  if (segs[0] === 'namespaces' && segs.length >= 3) {
    namespace = segs[1];
    segs.splice(0, 2);
  }
  const [resource, name, sub, ...rest] = segs;
  const type = resource === undefined ? undefined : resourceByName(resource);
  if (type === undefined || rest.length > 0) return { kind: 'unknown' };
  if (sub !== undefined && (sub !== 'status' || !type.hasStatus)) return { kind: 'unknown' };
  // Named objects are namespaced; only collections may be addressed across namespaces.
  if (name !== undefined && namespace === undefined) return { kind: 'unknown' };
  return { kind: 'resource', type, namespace, name, subresource: sub === 'status' ? 'status' : undefined };
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
