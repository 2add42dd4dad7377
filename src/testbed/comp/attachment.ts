/**
 * NetworkAttachment as the generic kube client layer takes it. KosObject's `spec` is an index
 * signature, which an interface such as NetworkAttachmentSpec does not satisfy on its own; the
 * intersection is both, so reflectors and typed field access meet without casts.
 */
import { GROUP, VERSION, type NetworkAttachment } from '../../api/kos-types.js';
import type { KosObject } from '../../api/meta.js';
import type { ResourceRef } from '../../kube/api-path.js';

export type Attachment = NetworkAttachment & KosObject;

/** The cluster-wide collection; add `namespace`, `name`, `subresource` as needed. */
export const ATTACHMENTS: ResourceRef = { group: GROUP, version: VERSION, resource: 'networkattachments' };
