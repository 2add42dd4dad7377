/** Discovery documents of the kube front: the core group it serves and the group it aggregates. */
import { apiVersionOf, type ResourceType } from '../../api/resource-type.js';
import { resourceEntries } from '../napi/discovery.js';

/** `/api`: the legacy group's versions, and where clients reach this server. */
export function apiVersions(serverAddress: string): string {
  return JSON.stringify({
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  });
}

/** `/api/v1`. */
export function coreResourceList(types: readonly ResourceType[]): string {
  const groupVersion = types[0] === undefined ? 'v1' : apiVersionOf(types[0]);
  return JSON.stringify({ kind: 'APIResourceList', groupVersion, resources: resourceEntries(types) });
}
