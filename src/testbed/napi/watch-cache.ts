/**
 * The watch cache of one resource in one apiserver: a single etcd watch keeps an in-memory copy
 * of every object and a ring of recent events, and fans each event out to the client watches it
 * may concern (see watch-index.ts). Watches from a version inside the ring are served from memory;
 * older versions get 410 Gone, as from kube-apiserver's cache.
 */
import { EtcdWatch, type WatchResponse } from '../etcd/etcd-watch.js';
import type { KeyValue } from '../etcd/etcd-kv.js';
import type { KosObject } from '../../api/meta.js';
import { isNamespaced, type ResourceType } from '../../api/resource-type.js';
import { apiErrors } from '../../api/status.js';
import { CacheEntry, type CacheEvent } from './cache-entry.js';
import type { ClientWatch } from './client-watch.js';
import { decodeKv, prefixEnd, type EtcdStore } from './etcd-store.js';
import { EventRing } from './event-ring.js';
import { WatchIndex } from './watch-index.js';

/** How often due bookmarks are looked for (a quarter of the interval when that is shorter). */
const BOOKMARK_TICK_MS = 1000;

export interface WatchCacheOptions {
  type: ResourceType;
  store: EtcdStore;
  /** etcd client URLs, for the cache's own watch stream. */
  etcdEndpoints: readonly string[];
  /** How many recent events are kept for watches that start from a version. */
  historySize: number;
  bookmarkIntervalMs: number;
  log: (message: string) => void;
}

/** Where a new watch starts: a revision, or (no version given) the current state as ADDED events. */
export type WatchStart = { kind: 'revision'; rev: number } | { kind: 'state' };

export class WatchCache {
  readonly type: ResourceType;
  private readonly opts: WatchCacheOptions;
  private readonly objects = new Map<string, CacheEntry>();
  private readonly ring: EventRing;
  private readonly index: WatchIndex;
  private etcdWatch: EtcdWatch | undefined;
  private bookmarkTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The cache reflects etcd as of this revision. */
  rev = 0;
  private readyPromise: Promise<void> | undefined;

  constructor(opts: WatchCacheOptions) {
    this.opts = opts;
    this.type = opts.type;
    this.ring = new EventRing(opts.historySize, 0);
    this.index = new WatchIndex(opts.type.indexedFields);
  }

  get watchCount(): number {
    return this.index.size;
  }

  get objectCount(): number {
    return this.objects.size;
  }

  get oldestRev(): number {
    return this.ring.oldestRev;
  }

  /** Lists, then watches from the list's revision; resolves when the cache is usable. */
  ready(): Promise<void> {
    this.readyPromise ??= this.initialize();
    return this.readyPromise;
  }

  private async initialize(): Promise<void> {
    const prefix = this.opts.store.prefix(this.type);
    let page = await this.opts.store.range({ prefix, limit: 1000 });
    const revision = page.revision;
    this.objects.clear();
    for (;;) {
      for (const item of page.items)
        this.objects.set(this.keyOf(item.obj), new CacheEntry(item.obj, item.rev, this.type));
      if (page.nextKey === undefined) break;
      page = await this.opts.store.range({ prefix, fromKey: page.nextKey, limit: 1000, revision });
    }
    this.rev = revision;
    this.ring.reset(revision);
    const watch = await EtcdWatch.open({
      endpoints: this.opts.etcdEndpoints,
      key: Buffer.from(prefix),
      rangeEnd: prefixEnd(prefix),
      startRevision: revision + 1,
      prevKv: true,
      onResponse: this.onEtcdResponse,
      onError: (e) => {
        this.restart(e);
      },
    });
    if (this.stopped) {
      watch.cancel();
      return;
    }
    this.etcdWatch = watch;
    // Each watch's bookmark comes an interval after it started, as in Kubernetes' watch cache, so
    // thousands of watches opened over time are not all written to in one tick every interval.
    this.bookmarkTimer ??= setInterval(
      () => {
        this.sendBookmarks(performance.now());
      },
      Math.max(1, Math.min(BOOKMARK_TICK_MS, this.opts.bookmarkIntervalMs / 4)),
    );
    this.bookmarkTimer.unref();
  }

  /** After losing the etcd watch (e.g. compaction): drop every client watch and rebuild. */
  private restart(cause: unknown): void {
    if (this.stopped) return;
    this.opts.log(`watch cache ${this.type.resource}: etcd watch failed (${String(cause)}); re-listing`);
    const old = this.etcdWatch;
    this.etcdWatch = undefined;
    old?.cancel();
    for (const w of [...this.index.all()]) w.close();
    this.readyPromise = this.initialize().catch((e: unknown) => {
      this.opts.log(`watch cache ${this.type.resource}: re-list failed: ${String(e)}`);
      this.readyPromise = undefined;
    });
  }

  private keyOf(obj: KosObject): string {
    return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
  }

  private readonly onEtcdResponse = (res: WatchResponse): void => {
    for (const ev of res.events) {
      if (ev.type === 'put') this.applyPut(ev.kv);
      else this.applyDelete(ev.kv, ev.prevKv);
    }
    // Only a progress notification's header says "nothing before this is still to come"; with
    // events, etcd may still be catching the watch up to the header's revision.
    if (res.events.length === 0 && res.revision > this.rev) this.rev = res.revision;
  };

  private applyPut(kv: KeyValue): void {
    const stored = decodeKv(kv);
    const key = this.keyOf(stored.obj);
    const prev = this.objects.get(key);
    const cur = new CacheEntry(stored.obj, stored.rev, this.type);
    this.objects.set(key, cur);
    this.emit({ type: prev === undefined ? 'ADDED' : 'MODIFIED', rev: stored.rev, cur, prev });
    cur.releaseWatchLines(); // queued by every watch it concerns, which now hold it
    prev?.releaseWatchLines(); // superseded: a watch starting now encodes it only for a replay
  }

  private applyDelete(kv: KeyValue, prevKv: KeyValue | undefined): void {
    const rev = kv.modRevision;
    const below = kv.key.toString('utf8').slice(this.opts.store.prefix(this.type).length);
    // The cache keys objects `<namespace>/<name>`; a cluster-scoped key has no namespace level.
    const key = isNamespaced(this.type) ? below : `/${below}`;
    const prev =
      this.objects.get(key) ??
      (prevKv !== undefined ? new CacheEntry(decodeKv(prevKv).obj, rev, this.type) : undefined);
    this.objects.delete(key);
    if (prev === undefined) return;
    const cur = prev.asDeletedAt(rev, this.type);
    this.emit({ type: 'DELETED', rev, cur, prev });
    cur.releaseWatchLines();
    prev.releaseWatchLines();
  }

  private emit(event: CacheEvent): void {
    this.ring.push(event);
    if (event.rev > this.rev) this.rev = event.rev;
    this.index.forEachCandidate(event, (w) => {
      w.offer(event);
    });
  }

  /**
   * Registers a watch and, in the same turn (so no event can slip between), sends what it must
   * catch up on: the current state, or the recorded events after its version. A version older
   * than the recorded history gets the 410 Kubernetes sends.
   */
  addWatch(watch: ClientWatch, start: WatchStart): void {
    if (start.kind === 'revision' && start.rev < this.ring.oldestRev) {
      watch.fail(apiErrors.tooOldVersion(String(start.rev), String(this.ring.oldestRev)).toStatus());
      return;
    }
    if (start.kind === 'state') {
      for (const entry of this.objects.values()) watch.sendInitial(entry);
      watch.lastRev = this.rev;
    } else {
      for (const event of this.ring.after(start.rev)) watch.offer(event);
    }
    watch.nextBookmarkMs = performance.now() + this.opts.bookmarkIntervalMs;
    this.index.add(watch);
  }

  removeWatch(watch: ClientWatch): void {
    this.index.remove(watch);
  }

  /** One object by namespace and name, as the cache has it. */
  get(namespace: string, name: string): CacheEntry | undefined {
    return this.objects.get(`${namespace}/${name}`);
  }

  /** Objects in the cache that pass `accept`, in key order (for resourceVersion=0 lists). */
  snapshot(accept: (entry: CacheEntry) => boolean): { entries: CacheEntry[]; rev: number } {
    const entries: CacheEntry[] = [];
    for (const [, entry] of [...this.objects].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (accept(entry)) entries.push(entry);
    }
    return { entries, rev: this.rev };
  }

  private sendBookmarks(now: number): void {
    for (const w of this.index.all()) {
      if (!w.allowBookmarks || now < w.nextBookmarkMs) continue;
      w.bookmark(this.rev);
      w.nextBookmarkMs = now + this.opts.bookmarkIntervalMs;
    }
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.bookmarkTimer !== undefined) clearInterval(this.bookmarkTimer);
    for (const w of [...this.index.all()]) w.close();
    const watch = this.etcdWatch;
    this.etcdWatch = undefined;
    // Closes the stream at once: nothing is sent to an etcd that may already be stopping.
    watch?.cancel();
    return Promise.resolve();
  }
}
