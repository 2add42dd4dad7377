/**
 * Emptying one namespace of KOS objects, as kube-controller-manager's namespace controller does
 * for every namespaced resource it discovers: deletecollection on a network-apiserver, then a
 * list to check nothing is left (something created meanwhile), repeated until the list is empty.
 */
import { GROUP, VERSION } from '../../api/kos-types.js';
import type { ResourceRef } from '../../kube/api-path.js';
import type { RestClient } from '../../kube/rest-client.js';

/** Attachments first (they hold addresses), then subnets, then the locks. */
export const KOS_CONTENT_RESOURCES = ['networkattachments', 'subnets', 'iplocks'] as const;

export type KosContentResource = (typeof KOS_CONTENT_RESOURCES)[number];

/** Rounds of deletecollection-then-list per resource before giving up for this attempt. */
const MAX_ROUNDS = 10;

export class ContentRemainsError extends Error {
  constructor(
    readonly namespace: string,
    readonly resource: KosContentResource,
  ) {
    super(`namespace ${namespace}: ${resource} remain after ${MAX_ROUNDS} rounds of deletion`);
    this.name = 'ContentRemainsError';
  }
}

/**
 * Deletes every KOS object in `namespace` through `client` (a network-apiserver), telling
 * `onDeleted` how many of each resource went. Throws when the apiserver fails or objects keep
 * appearing.
 */
export async function deleteKosContent(
  client: RestClient,
  namespace: string,
  onDeleted: (resource: KosContentResource, count: number) => void = () => undefined,
): Promise<void> {
  for (const resource of KOS_CONTENT_RESOURCES) {
    const ref: ResourceRef = { group: GROUP, version: VERSION, resource, namespace };
    let emptied = false;
    for (let round = 0; round < MAX_ROUNDS && !emptied; round++) {
      const deleted = await client.delete(ref);
      const items = Array.isArray(deleted.items) ? deleted.items.length : 0;
      if (items > 0) onDeleted(resource, items);
      const left = await client.list(ref, { limit: 1 });
      emptied = left.items.length === 0;
    }
    if (!emptied) throw new ContentRemainsError(namespace, resource);
  }
}
