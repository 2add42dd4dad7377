/**
 * One agent's interfaces, by attachment key, kept in step with the attachments through the
 * fabric (upstream's attToNetworkInterface and network_interface.go). Each fabric call is timed
 * into kos_agent_fabric_latency_seconds, and each creation observes its latency from the last
 * client write (and, for a remote one, from its attachment's status.impl stamp).
 */
import type { AgentMetrics } from './agent-metrics.js';
import type { Attachment } from './attachment.js';
import type { FabricOp, HollowFabric, LocalIfc, RemoteIfc } from './fabric.js';
import { ifcName, macAddress } from './mac-address.js';
import { sectionWriteMicros, type ClientWrite } from './write-times.js';

export type LocalAgentIfc = { readonly kind: 'local' } & LocalIfc;
export type RemoteAgentIfc = { readonly kind: 'remote' } & RemoteIfc;
export type AgentIfc = LocalAgentIfc | RemoteAgentIfc;

/** The interface `att` calls for on `node`, if any (pure): local on its node, remote elsewhere. */
export function desiredIfc(att: Attachment, node: string): AgentIfc | undefined {
  const vni = att.status?.addressVNI;
  const guestIP = att.status?.ipv4;
  if (vni === undefined || guestIP === undefined || guestIP === '') return undefined;
  const guestMAC = macAddress(vni, guestIP);
  if (guestMAC === undefined) return undefined;
  if (att.spec.node === node) return { kind: 'local', name: ifcName(guestMAC), vni, guestIP, guestMAC };
  const hostIP = att.status?.hostIP;
  if (hostIP === undefined || hostIP === '') return undefined;
  return { kind: 'remote', vni, guestIP, guestMAC, hostIP };
}

/** Whether an existing interface can serve as `b` (upstream's canBeOwnedBy). */
export function sameIfc(a: AgentIfc, b: AgentIfc): boolean {
  if (a.kind !== b.kind || a.vni !== b.vni || a.guestIP !== b.guestIP) return false;
  return a.kind === 'local' || (b.kind === 'remote' && a.hostIP === b.hostIP);
}

export interface InterfaceTableOptions {
  fabric: HollowFabric;
  metrics?: AgentMetrics | undefined;
  /** Wall-clock epoch microseconds. */
  nowMicros: () => number;
  /** Monotonic ms, timing each fabric call from its start to its end. @default performance.now */
  monoMs?: () => number;
}

export class InterfaceTable {
  private readonly ifcs = new Map<string, AgentIfc>();
  localCount = 0;
  remoteCount = 0;

  constructor(private readonly opts: InterfaceTableOptions) {}

  entries(): IterableIterator<[string, AgentIfc]> {
    return this.ifcs.entries();
  }

  /**
   * Makes the fabric hold `want` for `key`: keeps a matching interface, deletes a stale one,
   * creates a missing one. `att` and `write` are for the latency metrics of a creation;
   * `queuedAtMs` (monotonic) is when the watch event that asked for this work was queued.
   */
  async sync(
    key: string,
    want: AgentIfc | undefined,
    att: Attachment | undefined,
    write: ClientWrite | undefined,
    queuedAtMs?: number,
  ): Promise<AgentIfc | undefined> {
    const old = this.ifcs.get(key);
    if (old !== undefined && want !== undefined && sameIfc(old, want)) return old;
    if (old !== undefined) {
      await this.remove(old, queuedAtMs);
      this.ifcs.delete(key);
    }
    if (want === undefined || att === undefined || write === undefined) return undefined;
    // A delete before it has used up the wait: the creation waited for that delete.
    await this.create(want, att, write, old === undefined ? queuedAtMs : undefined);
    this.ifcs.set(key, want);
    return want;
  }

  private async create(
    ifc: AgentIfc,
    att: Attachment,
    write: ClientWrite,
    queuedAtMs: number | undefined,
  ): Promise<void> {
    const { fabric, metrics } = this.opts;
    if (ifc.kind === 'local') {
      await this.timed('CreateLocalIfc', () => fabric.createLocalIfc(ifc), queuedAtMs);
      this.localCount++;
      // Upstream observes only the first implementation, not a re-creation after a restart.
      const since = this.secondsSince(write.micros);
      if ((att.status?.ifcName ?? '') === '' && since !== undefined)
        metrics?.observeLocalIfc(write.label, since);
      return;
    }
    await this.timed('CreateRemoteIfc', () => fabric.createRemoteIfc(ifc), queuedAtMs);
    this.remoteCount++;
    const since = this.secondsSince(write.micros);
    if (since !== undefined) metrics?.observeRemoteIfc(write.label, since);
    const sinceImpl = this.secondsSince(sectionWriteMicros(att, 'status.impl'));
    if ((write.label === 'na' || write.label === 'subnet') && sinceImpl !== undefined) {
      metrics?.observeImplToRemote(write.label, sinceImpl);
    }
  }

  private async remove(ifc: AgentIfc, queuedAtMs: number | undefined): Promise<void> {
    const { fabric } = this.opts;
    if (ifc.kind === 'local') {
      await this.timed('DeleteLocalIfc', () => fabric.deleteLocalIfc(ifc), queuedAtMs);
      this.localCount--;
    } else {
      await this.timed('DeleteRemoteIfc', () => fabric.deleteRemoteIfc(ifc), queuedAtMs);
      this.remoteCount--;
    }
  }

  /**
   * Observes the time the call took (its timer's lateness included), not the delay it drew, and
   * the time its work waited before it since its watch event was queued.
   */
  private async timed(
    op: FabricOp,
    call: () => Promise<void>,
    queuedAtMs: number | undefined,
  ): Promise<void> {
    const mono = this.opts.monoMs ?? (() => performance.now());
    const t0 = mono();
    if (queuedAtMs !== undefined) this.opts.metrics?.observeFabricWait(op, (t0 - queuedAtMs) / 1000);
    let ok = false;
    try {
      await call();
      ok = true;
    } finally {
      this.opts.metrics?.observeFabric(op, ok, (mono() - t0) / 1000);
    }
  }

  private secondsSince(micros: number | undefined): number | undefined {
    return micros === undefined ? undefined : (this.opts.nowMicros() - micros) / 1e6;
  }
}
