/**
 * KOS's subnet validator: a subnet is validated when no other subnet of its VNI lives in another
 * namespace or overlaps its CIDR block, judged on a live list (never the cache), so two racing
 * subnets cannot both pass. Validated stays validated; when a subnet goes away, the unvalidated
 * subnets of its VNI are judged again.
 */
import type { Registry } from 'prom-client';
import { nowMicros } from '../../api/micro-time.js';
import { isConflict, isNotFound } from '../../kube/kube-api-error.js';
import { objectKey, Reflector } from '../../kube/reflector.js';
import type { RestClient } from '../../kube/rest-client.js';
import { toError } from '../../util/errors.js';
import { sectionWriteMicros } from './address-status.js';
import { freshest } from './freshest.js';
import type { SubnetObject as Subnet } from './kos-objects.js';
import { asBody, kosRef, splitKey } from './kos-refs.js';
import { sameMessages, subnetConflicts } from './subnet-conflicts.js';
import { SubnetValidatorMetrics } from './subnet-validator-metrics.js';
import { runWorkers, WorkQueue, type WorkQueueOptions } from '../../kube/work-queue.js';
import { WorkQueueMetrics } from './work-queue-metrics.js';

export interface SubnetValidatorOptions {
  client: RestClient;
  registry: Registry;
  /** Parallel workers. @default 2 */
  workers?: number;
  queue?: WorkQueueOptions;
  log?: (message: string) => void;
}

const QUEUE_NAME = 'sv';

export class SubnetValidator {
  private readonly reflector: Reflector<Subnet>;
  private readonly queue: WorkQueue;
  private readonly metrics: SubnetValidatorMetrics;
  private readonly queueMetrics: WorkQueueMetrics;
  /** Our last status write per subnet, until the watch shows something newer. */
  private readonly written = new Map<string, Subnet>();
  private workers: Promise<void> | undefined;

  constructor(private readonly opts: SubnetValidatorOptions) {
    this.queue = new WorkQueue(opts.queue);
    this.metrics = new SubnetValidatorMetrics(opts.registry);
    this.queueMetrics = WorkQueueMetrics.of(opts.registry);
    this.queueMetrics.track(QUEUE_NAME, this.queue);
    this.reflector = new Reflector<Subnet>({
      client: opts.client,
      ref: kosRef('subnets'),
      handler: {
        onAdd: (s) => {
          if (s.status?.validated !== true) this.queue.add(objectKey(s));
        },
        onUpdate: (prev, s) => {
          // Spec is immutable; only a re-created subnet (new UID) needs judging again.
          if (prev.metadata.uid !== s.metadata.uid && s.status?.validated !== true)
            this.queue.add(objectKey(s));
        },
        onDelete: (s) => {
          this.onDelete(s);
        },
      },
      ...(opts.log === undefined ? {} : { log: opts.log }),
    });
  }

  /** Lists, then starts the workers; resolves once the cache holds the first list. */
  async start(): Promise<void> {
    await this.reflector.start();
    this.workers ??= runWorkers(
      this.queue,
      this.opts.workers ?? 2,
      (key) => this.process(key),
      (key, e, delay) => {
        this.queueMetrics.retried(QUEUE_NAME);
        this.opts.log?.(`subnet validator: ${key}: ${toError(e).message}; retrying in ${delay} ms`);
      },
    );
  }

  async stop(): Promise<void> {
    this.queue.shutdown();
    await this.reflector.stop();
    await this.workers;
  }

  get queueLength(): number {
    return this.queue.length;
  }

  private onDelete(s: Subnet): void {
    this.written.delete(objectKey(s));
    for (const [key, other] of this.reflector.store) {
      if (other.spec.vni === s.spec.vni && other.status?.validated !== true) this.queue.add(key);
    }
  }

  private async process(key: string): Promise<void> {
    const cached = this.reflector.store.get(key);
    const subnet = freshest(cached, this.written.get(key));
    if (subnet !== this.written.get(key)) this.written.delete(key);
    if (subnet === undefined || subnet.status?.validated === true) return;
    let peers: Subnet[];
    try {
      peers = (
        await this.opts.client.listAll<Subnet>(kosRef('subnets'), {
          fieldSelector: `spec.vni=${subnet.spec.vni}`,
        })
      ).items;
      this.metrics.liveLists.inc({ err: 'ok' });
    } catch (e: unknown) {
      this.metrics.liveLists.inc({ err: 'err' });
      throw e;
    }
    // The live copy is the freshest there is; if it is gone, the subnet was deleted meanwhile.
    const live = peers.find((p) => p.metadata.uid === subnet.metadata.uid);
    if (live === undefined || live.status?.validated === true) return;
    const messages = subnetConflicts(live, peers);
    const validated = messages.length === 0;
    if (!validated && sameMessages(live.status?.errors, messages)) return;
    const firstVerdict = (live.status?.errors ?? []).length === 0;
    const { namespace, name } = splitKey(key);
    const next: Subnet = {
      ...live,
      status: validated ? { validated: true } : { validated: false, errors: messages },
    };
    let stored: Subnet;
    try {
      stored = await this.opts.client.update<Subnet>(
        kosRef('subnets', namespace, name, 'status'),
        asBody(next),
      );
    } catch (e: unknown) {
      if (isNotFound(e)) return;
      // Someone else wrote the subnet since our list: judge again on a fresh list.
      if (isConflict(e)) this.queue.add(key);
      else throw e;
      return;
    }
    this.written.set(key, stored);
    if (firstVerdict) {
      const created = sectionWriteMicros(live, 'spec');
      if (created !== undefined) {
        this.metrics.createToValidated.observe(
          { statusErr: validated ? 'ok' : 'err' },
          (nowMicros() - created) / 1e6,
        );
      }
    }
  }
}
