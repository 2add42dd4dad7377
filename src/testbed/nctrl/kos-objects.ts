/**
 * The KOS kinds as the generic Kubernetes machinery (Reflector, RestClient) sees them: the
 * kos-types interfaces have no index signatures, so they are intersected with KosObject.
 */
import type { IPLock, NetworkAttachment, Subnet } from '../../api/kos-types.js';
import type { KosObject } from '../../api/meta.js';

export type SubnetObject = Subnet & KosObject;
export type AttachmentObject = NetworkAttachment & KosObject;
export type LockObject = IPLock & KosObject;
