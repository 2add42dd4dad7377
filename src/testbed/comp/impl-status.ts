/**
 * The part of an attachment's status the connection agent owns, `status.impl` on the server
 * (pure): macAddress, ifcName, hostIP and errors.host. A hollow agent runs no post-create
 * command, so errors.host stays empty and postCreateExecReport unset (see hollow-agent.ts).
 */
import type { NetworkAttachment, NetworkAttachmentStatus } from '../../api/kos-types.js';

export interface ImplFields {
  readonly macAddress: string;
  readonly ifcName: string;
  readonly hostIP: string;
}

/** True when the attachment's status already says what the agent would write. */
export function implStatusUpToDate(att: NetworkAttachment, want: ImplFields): boolean {
  const s = att.status;
  return (
    s !== undefined &&
    s.macAddress === want.macAddress &&
    s.ifcName === want.ifcName &&
    s.hostIP === want.hostIP &&
    (s.errors?.host === undefined || s.errors.host.length === 0) &&
    s.postCreateExecReport === undefined
  );
}

/** A copy of `att` with the agent's fields set, errors.host and the exec report cleared. */
export function withImplStatus<T extends NetworkAttachment>(att: T, want: ImplFields): T {
  const status: NetworkAttachmentStatus = { ...att.status, ...want };
  delete status.postCreateExecReport;
  if (status.errors !== undefined) {
    const errors = { ...status.errors };
    delete errors.host;
    if (Object.keys(errors).length > 0) status.errors = errors;
    else delete status.errors;
  }
  return { ...att, status };
}
