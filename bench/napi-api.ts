/** The few requests the benchmarks send to the network-apiserver: paths and bodies. */
import { API_VERSION } from '../src/api/kos-types.js';

const GROUP_VERSION_PATH = `/apis/${API_VERSION}`;

export function attachmentsPath(namespace: string): string {
  return `${GROUP_VERSION_PATH}/namespaces/${namespace}/networkattachments`;
}

export function statusPath(namespace: string, name: string): string {
  return `${attachmentsPath(namespace)}/${name}/status`;
}

/** A watch from `resourceVersion` on one field value, e.g. `spec.node=comp7`, with bookmarks. */
export function watchPath(namespace: string, fieldSelector: string, resourceVersion: string): string {
  const query = new URLSearchParams({
    watch: '1',
    fieldSelector,
    allowWatchBookmarks: 'true',
    resourceVersion,
  });
  return `${attachmentsPath(namespace)}?${query.toString()}`;
}

/** The body of a create: what a KOS controller posts before any status exists. */
export function attachmentJson(name: string, node: string): string {
  return JSON.stringify({
    apiVersion: API_VERSION,
    kind: 'NetworkAttachment',
    metadata: { name },
    spec: { node, subnet: 's1' },
  });
}

/**
 * The body of a status PUT that assigns an address, as KOS's IPAM controller does: it changes the
 * `status.address` section, which the server stamps, and makes the object match
 * `status.addressVNI=<vni>` watches.
 */
export function addressStatusJson(
  namespace: string,
  name: string,
  node: string,
  vni: number,
  n: number,
): string {
  return JSON.stringify({
    apiVersion: API_VERSION,
    kind: 'NetworkAttachment',
    metadata: { name, namespace },
    spec: { node, subnet: 's1' },
    status: {
      addressVNI: vni,
      ipv4: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
      lockUID: `bench-${n}`,
    },
  });
}

export const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };
