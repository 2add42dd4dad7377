/**
 * client-go's reflector + store for our components: list, then watch from the list's version,
 * re-watch from the last version seen when a stream ends, and re-list only on 410 Gone; errors
 * (a server gone away) are retried with jittered back-off, 100 ms doubling to 5 s. Handlers
 * see adds, updates and deletes, also those a re-list discovers.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ObjectMeta } from '../api/meta.js';
import type { ResourceRef } from './api-path.js';
import { isGone, KubeApiError } from './kube-api-error.js';
import type { RestClient } from './rest-client.js';
import type { WatchEvent } from './watch-events.js';

/** Anything with Kubernetes object metadata. */
export interface MetaObject {
  metadata: ObjectMeta;
}

export interface ReflectorHandler<T extends MetaObject> {
  onAdd?(obj: T): void;
  onUpdate?(prev: T, obj: T): void;
  onDelete?(obj: T): void;
}

export interface ReflectorOptions<T extends MetaObject> {
  client: RestClient;
  /** The collection: a resource, optionally in one namespace. */
  ref: ResourceRef;
  labelSelector?: string;
  fieldSelector?: string;
  handler: ReflectorHandler<T>;
  log?: (message: string) => void;
  /** Longest watch before re-watching (client-go picks 5-10 min at random). @default 300..600 s */
  watchTimeoutSeconds?: () => number;
}

const BACKOFF_START_MS = 100;
/** The reason stop() aborts with: made once, as an abort's own error costs a stack trace. */
const STOPPED = new Error('reflector stopped');
const BACKOFF_MAX_MS = 5000;
/** Up to this fraction of the back-off is added at random. */
const JITTER = 0.5;

export function objectKey(obj: MetaObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

export class Reflector<T extends MetaObject = MetaObject> {
  readonly store = new Map<string, T>();
  private resourceVersion = '';
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private synced: Promise<void>;
  private markSynced!: () => void;
  /** Lists done so far (1 after start; more after each 410). */
  lists = 0;

  constructor(private readonly opts: ReflectorOptions<T>) {
    this.synced = new Promise((resolve) => {
      this.markSynced = resolve;
    });
  }

  /** Starts the list/watch loop; resolves once the first list is in the store. */
  start(): Promise<void> {
    this.loop ??= this.run();
    return Promise.race([this.synced, this.loop]);
  }

  get lastResourceVersion(): string {
    return this.resourceVersion;
  }

  async stop(): Promise<void> {
    this.abort.abort(STOPPED);
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let needList = true;
    let backoff = BACKOFF_START_MS;
    while (!signal.aborted) {
      try {
        if (needList) {
          // Like client-go: the first list may come from the apiserver's watch cache (cheap for
          // thousands of agents); a list after 410 must be consistent, so it reads etcd.
          await this.relist(this.lists === 0 ? '0' : undefined);
          needList = false;
          this.markSynced();
        }
        await this.watchOnce(signal);
        backoff = BACKOFF_START_MS;
      } catch (e: unknown) {
        if (this.stopped()) break;
        if (isGone(e)) {
          needList = true;
          continue;
        }
        // Jittered, as client-go's, so that the watchers of a restarted server do not all return at once.
        const waitMs = Math.round(backoff * (1 + JITTER * Math.random()));
        this.opts.log?.(
          `${this.describe()}: ${e instanceof Error ? e.message : String(e)}; retrying in ${waitMs} ms`,
        );
        await sleep(waitMs, undefined, { signal }).catch(() => undefined);
        backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
      }
    }
  }

  private stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async relist(resourceVersion: '0' | undefined): Promise<void> {
    const { client, ref, labelSelector, fieldSelector } = this.opts;
    const selectors = {
      ...(labelSelector === undefined ? {} : { labelSelector }),
      ...(fieldSelector === undefined ? {} : { fieldSelector }),
    };
    const list =
      resourceVersion === undefined
        ? await client.listAll<T>(ref, selectors)
        : await client.list<T>(ref, { ...selectors, resourceVersion });
    this.lists++;
    const seen = new Set<string>();
    for (const obj of list.items) {
      const key = objectKey(obj);
      seen.add(key);
      this.apply('ADDED', obj);
    }
    for (const [key, obj] of [...this.store]) {
      if (!seen.has(key)) {
        this.store.delete(key);
        this.opts.handler.onDelete?.(obj);
      }
    }
    this.resourceVersion = list.metadata.resourceVersion;
  }

  private async watchOnce(signal: AbortSignal): Promise<void> {
    const { client, ref, labelSelector, fieldSelector } = this.opts;
    const timeoutSeconds = this.opts.watchTimeoutSeconds?.() ?? 300 + Math.floor(Math.random() * 300);
    let gone: KubeApiError | undefined;
    await client.watch(
      ref,
      {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds,
        ...(labelSelector === undefined ? {} : { labelSelector }),
        ...(fieldSelector === undefined ? {} : { fieldSelector }),
      },
      (event: WatchEvent) => {
        if (gone !== undefined) return;
        if (event.type === 'ERROR') {
          const status = event.object as unknown as { code?: number; reason?: string; message?: string };
          gone = new KubeApiError(status.code ?? 500, status, `watch ${this.describe()}`);
          return;
        }
        const rv = event.object.metadata.resourceVersion;
        if (rv !== undefined) this.resourceVersion = rv;
        if (event.type !== 'BOOKMARK') this.apply(event.type, event.object as unknown as T);
      },
      signal,
    );
    if (gone !== undefined) throw gone;
  }

  private apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void {
    const key = objectKey(obj);
    const prev = this.store.get(key);
    if (type === 'DELETED') {
      if (prev === undefined) return;
      this.store.delete(key);
      this.opts.handler.onDelete?.(obj);
      return;
    }
    this.store.set(key, obj);
    if (prev === undefined) this.opts.handler.onAdd?.(obj);
    else if (prev.metadata.resourceVersion !== obj.metadata.resourceVersion)
      this.opts.handler.onUpdate?.(prev, obj);
  }

  private describe(): string {
    const { ref, fieldSelector, labelSelector } = this.opts;
    return [ref.resource, fieldSelector, labelSelector].filter((s) => s !== undefined).join(' ');
  }
}
