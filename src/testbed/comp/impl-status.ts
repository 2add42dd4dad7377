/**
 * The part of an attachment's status the connection agent owns, `status.impl` and
 * `status.execReport` on the server (pure): macAddress, ifcName, hostIP, errors.host and the
 * post-create command's report. errors.host stays empty; the report is the one the agent's real
 * data plane produced (agent-exec.ts), or none for a hollow attachment.
 */
import type { ExecReport, NetworkAttachment, NetworkAttachmentStatus } from '../../api/kos-types.js';

export interface ImplFields {
  readonly macAddress: string;
  readonly ifcName: string;
  readonly hostIP: string;
}

/** True when the attachment's status already says what the agent would write. */
export function implStatusUpToDate(att: NetworkAttachment, want: ImplFields, report?: ExecReport): boolean {
  const s = att.status;
  return (
    s !== undefined &&
    s.macAddress === want.macAddress &&
    s.ifcName === want.ifcName &&
    s.hostIP === want.hostIP &&
    (s.errors?.host === undefined || s.errors.host.length === 0) &&
    sameReport(s.postCreateExecReport ?? undefined, report)
  );
}

/** Equal as stored: the server omits a zero exit status and empty output. */
export function sameReport(a: Partial<ExecReport> | undefined, b: Partial<ExecReport> | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    (a.exitStatus ?? 0) === (b.exitStatus ?? 0) &&
    (a.stdOut ?? '') === (b.stdOut ?? '') &&
    (a.stdErr ?? '') === (b.stdErr ?? '') &&
    (a.startTime ?? '') === (b.startTime ?? '') &&
    (a.stopTime ?? '') === (b.stopTime ?? '') &&
    JSON.stringify(a.command ?? []) === JSON.stringify(b.command ?? [])
  );
}

/** A copy of `att` with the agent's fields and `report` (none: cleared) set, errors.host cleared. */
export function withImplStatus<T extends NetworkAttachment>(
  att: T,
  want: ImplFields,
  report?: ExecReport,
): T {
  const status: NetworkAttachmentStatus = { ...att.status, ...want };
  if (report === undefined) delete status.postCreateExecReport;
  else status.postCreateExecReport = report;
  if (status.errors !== undefined) {
    const errors = { ...status.errors };
    delete errors.host;
    if (Object.keys(errors).length > 0) status.errors = errors;
    else delete status.errors;
  }
  return { ...att, status };
}
