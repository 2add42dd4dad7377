/**
 * Writes a local interface's facts into its attachment's status with a PUT to /status, as the
 * agent's UpdateStatus does: conditional on the resourceVersion it read; on 409 it re-reads and
 * tries again while the attachment still wants the same interface; not at all when the status
 * already says the same. The server's status.impl stamp of the first such write ends the
 * `last_client_write_to_status_update` latency.
 */
import type { ExecReport } from '../../api/kos-types.js';
import type { ResourceRef } from '../../kube/api-path.js';
import { isConflict, isNotFound } from '../../kube/kube-api-error.js';
import type { RestClient } from '../../kube/rest-client.js';
import type { AgentMetrics } from './agent-metrics.js';
import { ATTACHMENTS, type Attachment } from './attachment.js';
import { implStatusUpToDate, withImplStatus } from './impl-status.js';
import { desiredIfc, sameIfc, type LocalAgentIfc } from './interface-table.js';
import { sectionWriteMicros, type ClientWrite } from './write-times.js';

export interface StatusWriterContext {
  client: RestClient;
  node: string;
  hostIP: string;
  metrics?: AgentMetrics | undefined;
  /** PUTs on repeated 409 before giving the key back to the queue for a retry. */
  conflictAttempts: number;
  /** False once the attachment left the node's reflector or the agent stopped: do not write. */
  stillWanted(): boolean;
}

export async function writeImplStatus(
  ctx: StatusWriterContext,
  att: Attachment,
  ifc: LocalAgentIfc,
  write: ClientWrite,
  /** The post-create command's report, when the agent ran one (none: the status carries none). */
  report?: ExecReport,
): Promise<void> {
  const want = { macAddress: ifc.guestMAC, ifcName: ifc.name, hostIP: ctx.hostIP };
  const ref: ResourceRef = { ...ATTACHMENTS, namespace: att.metadata.namespace, name: att.metadata.name };
  const firstImpl = (att.status?.hostIP ?? '') === '';
  let current = att;
  for (let attempt = 1; ; attempt++) {
    if (implStatusUpToDate(current, want, report) || !ctx.stillWanted()) return;
    const t0 = performance.now();
    try {
      const updated = await ctx.client.update<Attachment>(
        { ...ref, subresource: 'status' },
        { ...withImplStatus(current, want, report) },
      );
      ctx.metrics?.observeStatusRoundTrip('ok', (performance.now() - t0) / 1000);
      const implMicros = sectionWriteMicros(updated, 'status.impl');
      if (firstImpl && implMicros !== undefined && write.micros !== undefined) {
        ctx.metrics?.observeStatusUpdate(write.label, (implMicros - write.micros) / 1e6);
      }
      return;
    } catch (e: unknown) {
      const outcome = isNotFound(e) ? 'nf' : 'err';
      ctx.metrics?.observeStatusRoundTrip(outcome, (performance.now() - t0) / 1000);
      if (outcome === 'nf') return; // deleted meanwhile: its delete event cleans up
      if (!isConflict(e) || attempt >= ctx.conflictAttempts) throw e;
    }
    try {
      current = await ctx.client.get<Attachment>(ref);
    } catch (e: unknown) {
      if (isNotFound(e)) return;
      throw e;
    }
    // Replaced or re-addressed meanwhile: the watch brings that change, and it is processed anew.
    const still = desiredIfc(current, ctx.node);
    if (current.metadata.uid !== att.metadata.uid || still === undefined || !sameIfc(ifc, still)) return;
  }
}
