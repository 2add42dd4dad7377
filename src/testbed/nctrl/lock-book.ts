/**
 * IPAM's view of the IPLocks: what the lock reflector has seen, overlaid with what this process
 * has itself created, fetched or deleted and the watch has not echoed yet. Indexed by owning
 * attachment and by taken address per namespace and VNI; in-flight picks are reserved so two
 * workers never try the same address. Pure: no I/O, no clock.
 */
import type { IPLock } from '../../api/kos-types.js';
import { pickAddress, type AddressRange } from './address-range.js';
import { attachmentOwner, parseIpLockName } from './ip-lock-name.js';
import { SetIndex } from './set-index.js';

export interface HeldLock {
  /** `ns/name` of the lock. */
  readonly key: string;
  readonly namespace: string;
  readonly uid: string;
  readonly vni: number;
  readonly address: number;
  /** The controlling NetworkAttachment, if the lock names one. */
  readonly owner: { readonly name: string; readonly uid: string } | undefined;
  readonly obj: IPLock;
}

/** A lock as IPAM understands it, or undefined when its name is not a lock name. */
export function heldLockOf(obj: IPLock): HeldLock | undefined {
  const parsed = parseIpLockName(obj.metadata.name ?? '');
  if (parsed === undefined) return undefined;
  return {
    key: `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`,
    namespace: obj.metadata.namespace ?? '',
    uid: obj.metadata.uid ?? '',
    vni: parsed.vni,
    address: parsed.address,
    owner: attachmentOwner(obj),
    obj,
  };
}

function poolKey(namespace: string, vni: number): string {
  return `${namespace}/${vni}`;
}

export class LockBook {
  /** What the reflector holds. */
  private readonly seen = new Map<string, HeldLock>();
  /** Locks this process created or fetched that the reflector has not shown yet. */
  private readonly learned = new Map<string, HeldLock>();
  /** UIDs of locks this process deleted, until the reflector reports them gone. */
  private readonly deleted = new Set<string>();
  private readonly effective = new Map<string, HeldLock>();
  private readonly byOwner = new SetIndex<string>();
  private readonly taken = new SetIndex<number>();
  private readonly reserved = new SetIndex<number>();
  private readonly cursors = new Map<string, number>();

  /** Locks in view. */
  get size(): number {
    return this.effective.size;
  }

  /** Addresses reserved by in-flight picks. */
  get reservations(): number {
    let n = 0;
    for (const pool of this.reserved.keys()) n += this.reserved.get(pool)?.size ?? 0;
    return n;
  }

  locks(): IterableIterator<HeldLock> {
    return this.effective.values();
  }

  /** The reflector added or updated a lock. */
  observed(obj: IPLock): void {
    const lock = heldLockOf(obj);
    if (lock === undefined) return;
    this.seen.set(lock.key, lock);
    if (this.learned.get(lock.key)?.uid === lock.uid) this.learned.delete(lock.key);
    this.recompute(lock.key);
  }

  /** The reflector removed a lock. */
  vanished(obj: IPLock): void {
    const lock = heldLockOf(obj);
    if (lock === undefined) return;
    if (this.seen.get(lock.key)?.uid === lock.uid) this.seen.delete(lock.key);
    if (this.learned.get(lock.key)?.uid === lock.uid) this.learned.delete(lock.key);
    this.deleted.delete(lock.uid);
    this.recompute(lock.key);
  }

  /** This process created the lock, or read it from the server. */
  learn(obj: IPLock): HeldLock | undefined {
    const lock = heldLockOf(obj);
    if (lock === undefined) return undefined;
    if (this.deleted.has(lock.uid)) return undefined;
    if (this.seen.get(lock.key)?.uid !== lock.uid) this.learned.set(lock.key, lock);
    this.recompute(lock.key);
    return lock;
  }

  /** This process deleted the lock, or found it gone. */
  forget(lock: HeldLock): void {
    if (this.learned.get(lock.key)?.uid === lock.uid) this.learned.delete(lock.key);
    // Kept until the reflector reports the deletion, so a late echo of the create cannot revive it.
    this.deleted.add(lock.uid);
    this.recompute(lock.key);
  }

  /** True when the reflector itself shows the lock (not just this process's own record). */
  confirmed(lock: HeldLock): boolean {
    return this.seen.get(lock.key)?.uid === lock.uid && !this.deleted.has(lock.uid);
  }

  get(key: string): HeldLock | undefined {
    return this.effective.get(key);
  }

  /** Locks whose controlling owner is the attachment `namespace/name` (any of its UIDs). */
  ownedBy(namespace: string, name: string): HeldLock[] {
    const keys = this.byOwner.get(`${namespace}/${name}`);
    if (keys === undefined) return [];
    const out: HeldLock[] = [];
    for (const key of keys) {
      const lock = this.effective.get(key);
      if (lock !== undefined) out.push(lock);
    }
    return out;
  }

  /** Attachment keys (`ns/name`) that own at least one lock in view. */
  owners(): IterableIterator<string> {
    return this.byOwner.keys();
  }

  isTaken(namespace: string, vni: number, address: number): boolean {
    const pool = poolKey(namespace, vni);
    return this.taken.get(pool)?.has(address) === true || this.reserved.get(pool)?.has(address) === true;
  }

  /**
   * Reserves a free address of the range for an in-flight lock create: `preferred` when it is
   * free, else the next free one after the pool's last pick. Undefined when the range is full.
   */
  reserve(namespace: string, vni: number, range: AddressRange, preferred?: number): number | undefined {
    const pool = poolKey(namespace, vni);
    const isTaken = (a: number): boolean => this.isTaken(namespace, vni, a);
    let address: number | undefined;
    if (
      preferred !== undefined &&
      preferred >= range.first &&
      preferred <= range.last &&
      !isTaken(preferred)
    ) {
      address = preferred;
    } else {
      address = pickAddress(range, isTaken, this.cursors.get(pool));
      if (address !== undefined) this.cursors.set(pool, address + 1);
    }
    if (address !== undefined) this.reserved.add(pool, address);
    return address;
  }

  unreserve(namespace: string, vni: number, address: number): void {
    this.reserved.remove(poolKey(namespace, vni), address);
  }

  private recompute(key: string): void {
    const seen = this.seen.get(key);
    const next =
      this.learned.get(key) ?? (seen !== undefined && !this.deleted.has(seen.uid) ? seen : undefined);
    const prev = this.effective.get(key);
    if (prev === next) return;
    if (prev !== undefined) {
      this.effective.delete(key);
      this.taken.remove(poolKey(prev.namespace, prev.vni), prev.address);
      if (prev.owner !== undefined) this.byOwner.remove(`${prev.namespace}/${prev.owner.name}`, key);
    }
    if (next !== undefined) {
      this.effective.set(key, next);
      this.taken.add(poolKey(next.namespace, next.vni), next.address);
      if (next.owner !== undefined) this.byOwner.add(`${next.namespace}/${next.owner.name}`, key);
    }
  }
}
