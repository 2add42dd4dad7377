/**
 * Watches the run's attachments (one list, then one watch, re-watched from the last version
 * seen; re-listed only on 410 Gone) and stamps, the first time each is seen, when an attachment
 * got its address, its interface (fulfilled), its post-create command's report (tested) or an
 * error, plus the apiserver's own stamp of the fulfilment (extendedMetadata.writes[status.impl]).
 * Stamps go straight into the book.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecReport, NetworkAttachment } from '../api/kos-types.js';
import { parseMicroTime } from '../api/micro-time.js';
import { isGone } from '../kube/kube-api-error.js';
import type { RestClient } from '../kube/rest-client.js';
import type { ResourceRef } from '../kube/api-path.js';
import { ADDRESS_CONTENTION, TEST_FAILED, type AttachmentBook } from './attachment-book.js';
import { attachmentIndexOf } from './plan/drive-plan.js';

export interface ObserverEvents {
  addressed?(i: number, now: number): void;
  /** Every sighting of an address (first or changed), for the address checks. */
  address?(i: number, ipv4: string): void;
  /** The post-create command's report, first seen. */
  tested?(i: number, now: number, exitStatus: number): void;
  ready?(i: number, now: number): void;
  broken?(i: number, now: number, errors: readonly string[]): void;
}

export interface ObserverOptions {
  client: RestClient;
  namespace: string;
  labelSelector: string;
  book: AttachmentBook;
  clock: { now(): number };
  events?: ObserverEvents;
  log?: (message: string) => void;
}

export class AttachmentObserver {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private resourceVersion = '';
  /** Watch events seen (for progress and tests). */
  events = 0;
  private readonly ref: ResourceRef;

  constructor(private readonly opts: ObserverOptions) {
    this.ref = {
      group: 'network.example.com',
      version: 'v1alpha1',
      resource: 'networkattachments',
      namespace: opts.namespace,
    };
  }

  /** Lists (so the watch starts from a known version), then watches in the background. */
  async start(): Promise<void> {
    await this.relist();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async relist(): Promise<void> {
    const list = await this.opts.client.listAll<NetworkAttachment>(this.ref, {
      labelSelector: this.opts.labelSelector,
    });
    for (const a of list.items) this.see(a);
    this.resourceVersion = list.metadata.resourceVersion;
  }

  private async run(): Promise<void> {
    let backoff = 100;
    const signal = this.abort.signal;
    const stopped = (): boolean => signal.aborted;
    while (!stopped()) {
      try {
        await this.opts.client.watch(
          this.ref,
          {
            labelSelector: this.opts.labelSelector,
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: 300,
          },
          (e) => {
            const rv = (e.object.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
            if (e.type === 'ERROR') throw new WatchGone();
            if (rv !== undefined) this.resourceVersion = rv;
            if (e.type === 'ADDED' || e.type === 'MODIFIED')
              this.see(e.object as unknown as NetworkAttachment);
          },
          signal,
        );
        backoff = 100;
      } catch (e: unknown) {
        if (stopped()) return;
        if (e instanceof WatchGone || isGone(e)) {
          this.opts.log?.('attachment watch: 410 Gone, re-listing');
          const relisted = await this.relist().then(
            () => true,
            () => false,
          );
          if (relisted) continue;
          // A failed re-list leaves the old version, which would be Gone again at once: back off.
        }
        this.opts.log?.(`attachment watch failed, retrying in ${backoff} ms: ${String(e)}`);
        await sleep(backoff, undefined, { signal }).catch(() => undefined);
        backoff = Math.min(5000, backoff * 2);
      }
    }
  }

  /** Records the first sighting of each milestone. */
  see(a: NetworkAttachment): void {
    this.events++;
    const i = this.opts.book.indexOf(attachmentIndexOf(a.metadata.name ?? ''));
    if (i < 0) return;
    const b = this.opts.book;
    const s = a.status;
    if (s === undefined) return;
    const now = this.opts.clock.now();
    if (s.ipv4 !== undefined && s.ipv4 !== '' && Number.isNaN(b.addressed[i])) {
      b.addressed[i] = now;
      if (s.addressContention === true) b.test[i] = (b.test[i] ?? 0) | ADDRESS_CONTENTION;
      this.opts.events?.addressed?.(i, now);
    }
    if (s.ipv4 !== undefined && s.ipv4 !== '') this.opts.events?.address?.(i, s.ipv4);
    if (s.ifcName !== undefined && s.ifcName !== '' && Number.isNaN(b.ready[i])) {
      b.ready[i] = now;
      const stamp = a.extendedMetadata?.writes?.find((w) => w.section === 'status.impl')?.serverTime;
      const micros = stamp === undefined ? undefined : parseMicroTime(stamp);
      if (micros !== undefined) b.serverImpl[i] = micros / 1000;
      this.opts.events?.ready?.(i, now);
    }
    // After ready (a report can come in the same event); on the wire a zero exit status is omitted.
    const report: Partial<ExecReport> | undefined = s.postCreateExecReport;
    if (report !== undefined && Number.isNaN(b.tested[i])) {
      b.tested[i] = now;
      const exit = report.exitStatus ?? 0;
      if (exit !== 0) b.test[i] = (b.test[i] ?? 0) | TEST_FAILED;
      this.opts.events?.tested?.(i, now, exit);
    }
    const errors = (s.errors?.ipam?.length ?? 0) + (s.errors?.host?.length ?? 0);
    if (errors > 0 && Number.isNaN(b.broken[i])) {
      b.broken[i] = now;
      this.opts.events?.broken?.(i, now, [...(s.errors?.ipam ?? []), ...(s.errors?.host ?? [])]);
    }
  }
}

class WatchGone extends Error {}
