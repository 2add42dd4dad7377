/** ResourceRefs of the three KOS resources, for the RestClient and Reflector (pure). */
import type { ResourceRef } from '../../kube/api-path.js';
import { GROUP, VERSION } from '../../api/kos-types.js';

export type KosResource = 'subnets' | 'networkattachments' | 'iplocks';

/** A collection (cluster-wide when no namespace), or one object when a name is given. */
export function kosRef(
  resource: KosResource,
  namespace?: string,
  name?: string,
  subresource?: 'status',
): ResourceRef {
  return { group: GROUP, version: VERSION, resource, namespace, name, subresource };
}

/** `ns/name`, the key Reflector stores use. */
export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** A typed KOS object as a request body. */
export function asBody(obj: object): Record<string, unknown> {
  return obj as Record<string, unknown>;
}
