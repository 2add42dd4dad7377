/**
 * Writes IPAM's part of a NetworkAttachment's status: a PUT of the whole object to `/status`,
 * conditional on its resourceVersion. On 409 (an agent wrote meanwhile) it re-reads and
 * re-applies the change to the fresh object, so nothing another writer set is lost.
 */
import type { NetworkAttachmentStatus } from '../../api/kos-types.js';
import type { AttachmentObject as NetworkAttachment } from './kos-objects.js';
import { isConflict, isNotFound } from '../../kube/kube-api-error.js';
import type { RestClient } from '../../kube/rest-client.js';
import { sameAddressSection } from './address-status.js';
import { asBody, kosRef } from './kos-refs.js';

/** The stored attachment after the write (or unchanged), or `gone` when this edition no longer exists. */
export type StatusWriteResult = { kind: 'written' | 'unchanged'; att: NetworkAttachment } | { kind: 'gone' };

const MAX_ATTEMPTS = 8;

export async function writeAddressStatus(
  client: RestClient,
  att: NetworkAttachment,
  change: (status: NetworkAttachmentStatus | undefined) => NetworkAttachmentStatus,
): Promise<StatusWriteResult> {
  const { namespace, name, uid } = att.metadata;
  const ref = kosRef('networkattachments', namespace, name);
  let base = att;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const status = change(base.status);
    if (sameAddressSection(base.status, status)) return { kind: 'unchanged', att: base };
    try {
      const stored = await client.update<NetworkAttachment>(
        { ...ref, subresource: 'status' },
        asBody({ ...base, status }),
      );
      return { kind: 'written', att: stored };
    } catch (e: unknown) {
      if (isNotFound(e)) return { kind: 'gone' };
      if (!isConflict(e)) throw e;
    }
    try {
      base = await client.get<NetworkAttachment>(ref);
    } catch (e: unknown) {
      if (isNotFound(e)) return { kind: 'gone' };
      throw e;
    }
    if (base.metadata.uid !== uid) return { kind: 'gone' };
  }
  throw new Error(
    `status of NetworkAttachment ${namespace ?? ''}/${name ?? ''}: ${MAX_ATTEMPTS} conflicting writes in a row`,
  );
}

/** The attachment as the server has it now, or undefined when it does not exist. */
export async function readAttachment(
  client: RestClient,
  namespace: string,
  name: string,
): Promise<NetworkAttachment | undefined> {
  try {
    return await client.get<NetworkAttachment>(kosRef('networkattachments', namespace, name));
  } catch (e: unknown) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}
