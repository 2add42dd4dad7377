/**
 * IPAM's work on one attachment key: release the locks of dead editions, then either record why
 * the attachment gets no address, or keep, adopt or take its lock and write the address.
 *
 * The safety rules: an address goes into a status only after this attachment's lock on it was
 * created or read back from the server; a lock is deleted only when its owner edition is known
 * gone (a delete event, or the server says so), or after a status write that no longer names
 * it, or after the server's copy of the status was read and does not name it.
 */
import { formatIPv4, parseIPv4 } from '../../api/ipv4-cidr.js';
import { ipLockName } from '../../api/kos-types.js';
import type { ExtendedObjectMeta } from '../../api/meta.js';
import type { RestClient } from '../../kube/rest-client.js';
import { inRange } from './address-range.js';
import {
  lastClientWrite,
  sectionWriteMicros,
  statusWithAddress,
  statusWithErrors,
  subnetCreationTime,
} from './address-status.js';
import { readAttachment, writeAddressStatus } from './attachment-status-writer.js';
import { freshest, revisionOf } from './freshest.js';
import type { LockOps } from './ipam-lock-ops.js';
import type { IpamMetrics } from './ipam-metrics.js';
import type { AttachmentObject as NetworkAttachment, SubnetObject as Subnet } from './kos-objects.js';
import { splitKey } from './kos-refs.js';
import type { HeldLock, LockBook } from './lock-book.js';
import { SetIndex } from './set-index.js';
import { judgeSubnet, subnetFullMessage, type SubnetVerdict } from './subnet-verdict.js';

export interface ReconcilerDeps {
  client: RestClient;
  book: LockBook;
  lockOps: LockOps;
  metrics: IpamMetrics;
  /** The cached subnet `ns/name`. */
  subnet(key: string): Subnet | undefined;
  /** Looks at a key again after a while. */
  retryLater(key: string, ms: number): void;
  fullSubnetRetryMs: number;
}

/** Lock creates per attachment run before giving up for a while (each collision costs one). */
const MAX_PICKS = 64;

type ValidVerdict = Extract<SubnetVerdict<Subnet>, { kind: 'ok' }>;

/** Oldest lock first (by creation revision), so repeated runs adopt the same one. */
function byAge(a: HeldLock, b: HeldLock): number {
  return revisionOf(a.obj) - revisionOf(b.obj) || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0);
}

export class AttachmentReconciler {
  /** Our last status write per attachment, until the watch shows something newer. */
  readonly written = new Map<string, NetworkAttachment>();
  /** UIDs of deleted attachment editions per key, so their locks go without asking the server. */
  readonly dead = new SetIndex<string>();
  /** Attachments of a full subnet by `ns/vni`, to wake when a lock of that VNI goes. */
  readonly waiting = new SetIndex<string>();

  constructor(private readonly deps: ReconcilerDeps) {}

  /** The attachment as this process best knows it: the cache, or our newer write. */
  current(key: string, cached: NetworkAttachment | undefined): NetworkAttachment | undefined {
    return freshest(cached, this.written.get(key));
  }

  /** Brings one attachment key (`ns/name`) in line; `cached` is what the reflector holds. */
  async reconcile(key: string, cached: NetworkAttachment | undefined): Promise<void> {
    const { namespace, name } = splitKey(key);
    const written = this.written.get(key);
    const att = this.current(key, cached);
    if (written !== undefined && att !== written) this.written.delete(key);
    const owned = this.deps.book.ownedBy(namespace, name);
    const foreign = owned.filter((l) => l.owner?.uid !== att?.metadata.uid);
    if (foreign.length > 0) await this.releaseForeign(key, foreign);
    if (att === undefined) {
      this.dead.take(key);
      this.written.delete(key);
      return;
    }
    const mine = owned.filter((l) => l.owner?.uid === att.metadata.uid);
    const verdict = judgeSubnet(att.spec.subnet, this.deps.subnet(`${namespace}/${att.spec.subnet}`));
    if (verdict.kind === 'wait') return;
    if (verdict.kind === 'error') {
      await this.writeErrors(key, att, verdict.messages, mine);
      return;
    }
    await this.address(key, att, verdict, mine);
  }

  /** Releases locks held by other editions of this attachment name, once their owner is known gone. */
  private async releaseForeign(key: string, foreign: HeldLock[]): Promise<void> {
    const { namespace, name } = splitKey(key);
    const dead = new Set(this.dead.get(key));
    let live: NetworkAttachment | null | undefined;
    for (const lock of foreign) {
      const ownerUid = lock.owner?.uid ?? '';
      if (!dead.has(ownerUid)) {
        // Our cache may be behind: only the server can say that this owner is gone.
        live ??= (await readAttachment(this.deps.client, namespace, name)) ?? null;
        if (live !== null && live.metadata.uid === ownerUid) continue;
        dead.add(ownerUid);
      }
      await this.deps.lockOps.release(lock);
    }
    // Their locks are gone; a lock of a dead owner that shows up later is checked with the server.
    this.dead.take(key);
  }

  private async writeErrors(
    key: string,
    att: NetworkAttachment,
    messages: string[],
    mine: HeldLock[],
  ): Promise<void> {
    const result = await writeAddressStatus(this.deps.client, att, (s) => statusWithErrors(s, messages));
    if (result.kind === 'written') this.written.set(key, result.att);
    if (mine.length === 0) return;
    // Release only what the server's status does not name (we just wrote it, or we ask).
    if (result.kind === 'unchanged' && !(await this.serverStatusNames(att, undefined))) {
      throw new Error(`status of ${key} changed under us; looking again`);
    }
    for (const lock of mine) await this.deps.lockOps.release(lock);
  }

  /**
   * True when the server's copy of this attachment edition names `lockUid` in its status (or
   * names no lock, for undefined), or when that edition no longer exists.
   */
  private async serverStatusNames(att: NetworkAttachment, lockUid: string | undefined): Promise<boolean> {
    const live = await readAttachment(
      this.deps.client,
      att.metadata.namespace ?? '',
      att.metadata.name ?? '',
    );
    if (live === undefined || live.metadata.uid !== att.metadata.uid) return true;
    return live.status?.lockUID === lockUid;
  }

  private async address(
    key: string,
    att: NetworkAttachment,
    verdict: ValidVerdict,
    mine: HeldLock[],
  ): Promise<void> {
    const namespace = att.metadata.namespace ?? '';
    const st = att.status;
    const usable = mine.filter((l) => l.vni === verdict.vni && inRange(verdict.range, l.address)).sort(byAge);
    let inStatus = usable.find(
      (l) => l.uid === st?.lockUID && l.vni === st.addressVNI && formatIPv4(l.address) === st.ipv4,
    );
    if (inStatus === undefined && st?.ipv4 !== undefined && st.addressVNI === verdict.vni) {
      // The lock the status names may be one our watch has not delivered yet.
      const lock = await this.deps.lockOps.fetch(namespace, ipLockName(st.addressVNI, st.ipv4));
      if (
        lock !== undefined &&
        lock.owner?.uid === att.metadata.uid &&
        lock.uid === st.lockUID &&
        inRange(verdict.range, lock.address)
      ) {
        inStatus = lock;
      }
    }
    if (inStatus !== undefined) {
      const keep = inStatus;
      const result = await writeAddressStatus(this.deps.client, att, (s) =>
        statusWithAddress(s, {
          address: keep.address,
          vni: keep.vni,
          lockUid: keep.uid,
          subnetCreationTime: s?.subnetCreationTime ?? subnetCreationTime(verdict.subnet),
          contention: s?.addressContention ?? false,
        }),
      );
      await this.afterWrite(key, att, result, keep, mine);
      return;
    }
    let chosen: HeldLock | undefined;
    for (const lock of usable) {
      // Adopt a lock taken by an earlier run (or an earlier controller) if the server still has it.
      if (this.deps.book.confirmed(lock) || (await this.deps.lockOps.stillHeld(lock))) {
        chosen = lock;
        break;
      }
    }
    let contention = false;
    if (chosen === undefined) {
      const preferred =
        st?.ipv4 !== undefined && st.addressVNI === verdict.vni ? parseIPv4(st.ipv4) : undefined;
      const picked = await this.pickAndLock(att, verdict, preferred);
      if (picked === undefined) {
        this.waiting.add(`${namespace}/${verdict.vni}`, key);
        this.deps.retryLater(key, this.deps.fullSubnetRetryMs);
        await this.writeErrors(key, att, [subnetFullMessage(namespace, att.spec.subnet)], mine);
        return;
      }
      chosen = picked.lock;
      contention = picked.contention;
      if (st?.ipv4 === undefined) this.observe('lock', att, verdict.subnet, contention, chosen.obj);
    }
    const lock = chosen;
    const result = await writeAddressStatus(this.deps.client, att, (s) =>
      statusWithAddress(s, {
        address: lock.address,
        vni: lock.vni,
        lockUid: lock.uid,
        subnetCreationTime: subnetCreationTime(verdict.subnet),
        contention: contention || (s?.addressContention ?? false),
      }),
    );
    if (result.kind === 'written' && st?.ipv4 === undefined) {
      this.observe('address', att, verdict.subnet, contention, result.att);
    }
    await this.afterWrite(key, att, result, lock, mine);
  }

  /** After a status write naming `kept`: every other lock of the attachment is surplus. */
  private async afterWrite(
    key: string,
    att: NetworkAttachment,
    result: Awaited<ReturnType<typeof writeAddressStatus>>,
    kept: HeldLock,
    mine: HeldLock[],
  ): Promise<void> {
    if (result.kind === 'gone') {
      for (const lock of [kept, ...mine.filter((l) => l.uid !== kept.uid)])
        await this.deps.lockOps.release(lock);
      return;
    }
    if (result.kind === 'written') this.written.set(key, result.att);
    const surplus = mine.filter((l) => l.uid !== kept.uid);
    if (surplus.length === 0) return;
    // Release only what the server's status does not name (we just wrote it, or we ask).
    if (result.kind === 'unchanged' && !(await this.serverStatusNames(att, kept.uid))) {
      throw new Error(`status of ${key} changed under us; looking again`);
    }
    for (const lock of surplus) await this.deps.lockOps.release(lock);
  }

  /** Takes a free address by creating its lock; undefined when the subnet is full. */
  private async pickAndLock(
    att: NetworkAttachment,
    verdict: ValidVerdict,
    preferred: number | undefined,
  ): Promise<{ lock: HeldLock; contention: boolean } | undefined> {
    const namespace = att.metadata.namespace ?? '';
    let contention = false;
    let want = preferred;
    for (let pick = 0; pick < MAX_PICKS; pick++) {
      const address = this.deps.book.reserve(namespace, verdict.vni, verdict.range, want);
      want = undefined;
      if (address === undefined) return undefined;
      try {
        const outcome = await this.deps.lockOps.create(att, verdict.vni, address);
        if (outcome.kind !== 'taken') return { lock: outcome.lock, contention };
        if (outcome.lock !== undefined) {
          contention = true;
          this.deps.metrics.contention.inc();
        }
      } finally {
        this.deps.book.unreserve(namespace, verdict.vni, address);
      }
    }
    throw new Error(`no lock taken after ${MAX_PICKS} picks in VNI ${verdict.vni}`);
  }

  private observe(
    what: 'lock' | 'address',
    att: NetworkAttachment,
    subnet: Subnet,
    contention: boolean,
    result: { extendedMetadata?: ExtendedObjectMeta },
  ): void {
    const from = lastClientWrite(att, subnet);
    const at = sectionWriteMicros(result, what === 'lock' ? 'spec' : 'status.address');
    if (from === undefined || at === undefined) return;
    const hist = what === 'lock' ? this.deps.metrics.lockLatency : this.deps.metrics.addressLatency;
    hist.observe({ last_client_wr: from.source, contention: String(contention) }, (at - from.micros) / 1e6);
  }
}
