/**
 * KOS's IPAM controller. For each NetworkAttachment whose subnet exists and is validated it takes
 * a free address of the subnet by creating its IPLock, then writes the address into the
 * attachment's status; it releases the locks of deleted attachments and of stale editions.
 * This file wires the caches and the work queue; ipam-reconciler.ts does the work per key.
 *
 * The IPLocks are the hard state: on start the lock cache rebuilds the taken addresses, and an
 * attachment that owns a lock keeps it, so a restart never hands out an address twice.
 */
import type { Registry } from 'prom-client';
import { objectKey, Reflector } from '../../kube/reflector.js';
import type { RestClient } from '../../kube/rest-client.js';
import { toError } from '../../util/errors.js';
import { attachmentOwner, parseIpLockName } from './ip-lock-name.js';
import { LockOps } from './ipam-lock-ops.js';
import { IpamMetrics } from './ipam-metrics.js';
import { AttachmentReconciler } from './ipam-reconciler.js';
import type {
  AttachmentObject as NetworkAttachment,
  LockObject as IPLock,
  SubnetObject as Subnet,
} from './kos-objects.js';
import { kosRef } from './kos-refs.js';
import { LockBook } from './lock-book.js';
import { SetIndex } from './set-index.js';
import { runWorkers, WorkQueue, type WorkQueueOptions } from '../../kube/work-queue.js';
import { WorkQueueMetrics } from './work-queue-metrics.js';

export interface IpamControllerOptions {
  client: RestClient;
  registry: Registry;
  /** Parallel workers; one attachment is never worked on by two at once. @default 4 */
  workers?: number;
  queue?: WorkQueueOptions;
  /** How long an attachment of a full subnet waits before looking again. @default 10000 */
  fullSubnetRetryMs?: number;
  log?: (message: string) => void;
}

const QUEUE_NAME = 'ipam';

export class IpamController {
  private readonly subnets: Reflector<Subnet>;
  private readonly attachments: Reflector<NetworkAttachment>;
  private readonly locks: Reflector<IPLock>;
  private readonly book = new LockBook();
  private readonly queue: WorkQueue;
  private readonly queueMetrics: WorkQueueMetrics;
  private readonly reconciler: AttachmentReconciler;
  /** Attachment keys by `ns/subnet`. */
  private readonly bySubnet = new SetIndex<string>();
  private workers: Promise<void> | undefined;

  constructor(private readonly opts: IpamControllerOptions) {
    this.queue = new WorkQueue(opts.queue);
    this.queueMetrics = WorkQueueMetrics.of(opts.registry);
    this.queueMetrics.track(QUEUE_NAME, this.queue);
    const metrics = new IpamMetrics(opts.registry);
    const log = opts.log === undefined ? {} : { log: opts.log };
    this.subnets = new Reflector<Subnet>({
      client: opts.client,
      ref: kosRef('subnets'),
      handler: {
        onAdd: (s) => {
          this.onSubnet(s, false);
        },
        onUpdate: (_, s) => {
          this.onSubnet(s, false);
        },
        onDelete: (s) => {
          this.onSubnet(s, true);
        },
      },
      ...log,
    });
    this.attachments = new Reflector<NetworkAttachment>({
      client: opts.client,
      ref: kosRef('networkattachments'),
      handler: {
        onAdd: (a) => {
          this.bySubnet.add(subnetKeyOf(a), objectKey(a));
          this.queue.add(objectKey(a));
        },
        onUpdate: (prev, a) => {
          if (prev.metadata.uid !== a.metadata.uid) this.gone(prev);
          this.bySubnet.add(subnetKeyOf(a), objectKey(a));
          this.queue.add(objectKey(a));
        },
        onDelete: (a) => {
          this.gone(a);
          this.queue.add(objectKey(a));
        },
      },
      ...log,
    });
    this.locks = new Reflector<IPLock>({
      client: opts.client,
      ref: kosRef('iplocks'),
      handler: {
        onAdd: (l) => {
          this.book.observed(l);
          this.onLock(l, false);
        },
        onUpdate: (_, l) => {
          this.book.observed(l);
          this.onLock(l, false);
        },
        onDelete: (l) => {
          this.book.vanished(l);
          this.onLock(l, true);
        },
      },
      ...log,
    });
    this.reconciler = new AttachmentReconciler({
      client: opts.client,
      book: this.book,
      lockOps: new LockOps(opts.client, this.book, metrics),
      metrics,
      subnet: (key) => this.subnets.store.get(key),
      retryLater: (key, ms) => {
        this.queue.addAfter(key, ms);
      },
      fullSubnetRetryMs: opts.fullSubnetRetryMs ?? 10_000,
    });
  }

  /**
   * Lists subnets, attachments and locks (the locks rebuild the taken addresses), then starts
   * the workers; resolves once all three caches hold their first list. Workers never run on a
   * partial cache, so no lock is taken for an orphan before the attachments are known.
   */
  async start(): Promise<void> {
    await Promise.all([this.subnets.start(), this.attachments.start(), this.locks.start()]);
    this.workers ??= runWorkers(
      this.queue,
      this.opts.workers ?? 4,
      (key) => this.reconciler.reconcile(key, this.attachments.store.get(key)),
      (key, e, delay) => {
        this.queueMetrics.retried(QUEUE_NAME);
        this.opts.log?.(`ipam: ${key}: ${toError(e).message}; retrying in ${delay} ms`);
      },
    );
  }

  /** Stops the watches and waits for the workers to finish their current attachment. */
  async stop(): Promise<void> {
    this.queue.shutdown();
    await Promise.all([this.subnets.stop(), this.attachments.stop(), this.locks.stop()]);
    await this.workers;
  }

  get queueLength(): number {
    return this.queue.length;
  }

  /** True when no attachment is queued, being worked on or waiting for a retry. */
  get idle(): boolean {
    return this.queue.length === 0 && this.queue.active === 0 && this.queue.delayed === 0;
  }

  /** An attachment edition was deleted: its locks may go without asking the server. */
  private gone(a: NetworkAttachment): void {
    this.bySubnet.remove(subnetKeyOf(a), objectKey(a));
    this.reconciler.dead.add(objectKey(a), a.metadata.uid ?? '');
  }

  private onSubnet(s: Subnet, deleted: boolean): void {
    // A subnet the validator has not judged yet will be updated with its verdict soon.
    if (!deleted && s.status?.validated !== true && (s.status?.errors ?? []).length === 0) return;
    for (const key of this.bySubnet.get(objectKey(s)) ?? []) this.queue.add(key);
  }

  private onLock(l: IPLock, deleted: boolean): void {
    const owner = attachmentOwner(l);
    if (owner !== undefined) {
      const key = `${l.metadata.namespace ?? ''}/${owner.name}`;
      const att = this.reconciler.current(key, this.attachments.store.get(key));
      // A lock its live owner's status names needs nothing; anything else is worth a look.
      if (deleted || att?.metadata.uid !== owner.uid || att.status?.lockUID !== l.metadata.uid) {
        this.queue.add(key);
      }
    }
    const parsed = parseIpLockName(l.metadata.name ?? '');
    if (!deleted || parsed === undefined) return;
    for (const key of this.reconciler.waiting.take(`${l.metadata.namespace ?? ''}/${parsed.vni}`) ?? []) {
      this.queue.add(key);
    }
  }
}

function subnetKeyOf(a: NetworkAttachment): string {
  return `${a.metadata.namespace ?? ''}/${a.spec.subnet}`;
}
