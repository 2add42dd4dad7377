/**
 * IPAM's IPLock I/O: taking an address (create; AlreadyExists means taken), reading a lock, and
 * releasing one (delete guarded by its UID), each recorded in the LockBook at once so workers do
 * not wait for the watch.
 */
import { API_VERSION, ipLockName, type IPLock, type NetworkAttachment } from '../../api/kos-types.js';
import { formatIPv4 } from '../../api/ipv4-cidr.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../kube/kube-api-error.js';
import type { RestClient } from '../../kube/rest-client.js';
import type { IpamMetrics } from './ipam-metrics.js';
import { asBody, kosRef } from './kos-refs.js';
import type { HeldLock, LockBook } from './lock-book.js';

export type CreateOutcome =
  | { kind: 'created'; lock: HeldLock }
  /** The lock exists and belongs to someone else. */
  | { kind: 'taken'; lock: HeldLock | undefined }
  /** The lock exists and already belongs to this attachment (an earlier run took it). */
  | { kind: 'ours'; lock: HeldLock };

export class LockOps {
  constructor(
    private readonly client: RestClient,
    private readonly book: LockBook,
    private readonly metrics: IpamMetrics,
  ) {}

  async create(att: NetworkAttachment, vni: number, address: number): Promise<CreateOutcome> {
    const namespace = att.metadata.namespace ?? '';
    const name = ipLockName(vni, formatIPv4(address));
    const body: IPLock = {
      apiVersion: API_VERSION,
      kind: 'IPLock',
      metadata: {
        name,
        namespace,
        ownerReferences: [
          {
            apiVersion: API_VERSION,
            kind: 'NetworkAttachment',
            name: att.metadata.name ?? '',
            uid: att.metadata.uid ?? '',
            controller: true,
          },
        ],
      },
      spec: { subnetName: att.spec.subnet },
    };
    try {
      const created = await this.client.create<IPLock>(kosRef('iplocks', namespace), asBody(body));
      this.metrics.lockOps.inc({ op: 'create', result: 'ok' });
      const lock = this.book.learn(created);
      if (lock === undefined) throw new Error(`created IPLock ${namespace}/${name} is not a lock`);
      return { kind: 'created', lock };
    } catch (e: unknown) {
      if (!isAlreadyExists(e)) {
        this.metrics.lockOps.inc({ op: 'create', result: 'err' });
        throw e;
      }
      this.metrics.lockOps.inc({ op: 'create', result: 'exists' });
    }
    const existing = await this.fetch(namespace, name);
    if (existing !== undefined && existing.owner?.uid === att.metadata.uid)
      return { kind: 'ours', lock: existing };
    return { kind: 'taken', lock: existing };
  }

  /** Reads a lock from the server into the book; undefined when there is none. */
  async fetch(namespace: string, name: string): Promise<HeldLock | undefined> {
    try {
      return this.book.learn(await this.client.get<IPLock>(kosRef('iplocks', namespace, name)));
    } catch (e: unknown) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** True when the server still has exactly this lock; otherwise the book forgets it. */
  async stillHeld(lock: HeldLock): Promise<boolean> {
    const now = await this.fetch(lock.namespace, lock.obj.metadata.name ?? '');
    if (now?.uid === lock.uid) return true;
    this.book.forget(lock);
    return false;
  }

  /** Deletes exactly this lock (by UID); a lock already gone counts as released. */
  async release(lock: HeldLock): Promise<void> {
    const { namespace, name } = lock.obj.metadata;
    try {
      await this.client.delete(kosRef('iplocks', namespace, name), { uid: lock.uid });
      this.metrics.lockOps.inc({ op: 'delete', result: 'ok' });
    } catch (e: unknown) {
      // 409 here is a UID precondition failure: a newer lock has the name; ours is gone.
      if (!isNotFound(e) && !isConflict(e)) {
        this.metrics.lockOps.inc({ op: 'delete', result: 'err' });
        throw e;
      }
      this.metrics.lockOps.inc({ op: 'delete', result: 'gone' });
    }
    this.book.forget(lock);
  }
}
