/**
 * One client's watch: which objects it wants, from which revision, and the connection its events
 * go to. Deciding what an event means to this watch (ADDED, MODIFIED, DELETED when an object
 * leaves its selection) is here; finding the watches an event may concern is the cache's job.
 */
import type { FieldSelector } from '../../api/field-selector.js';
import type { LabelSelector } from '../../api/label-selector.js';
import type { Status } from '../../api/status.js';
import type { CacheEntry, CacheEvent, WatchEventType } from './cache-entry.js';
import type { Coalescer, Flushable } from './coalescer.js';

export interface WatchFilter {
  namespace: string | undefined;
  labels: LabelSelector;
  fields: FieldSelector;
}

/** Turns an event into one line of the stream (JSON objects, or Table rows for kubectl). */
export interface WatchEncoder {
  event(type: WatchEventType, entry: CacheEntry): string | Buffer;
  bookmark(rev: number): string | Buffer;
  error(status: Status): string;
}

/** Where encoded lines go: an HTTP response in the server, anything writable in tests. */
export interface WatchSink {
  write(chunk: string | Buffer): boolean;
  end(): void;
  readonly writableLength: number;
}

export interface ClientWatchOptions {
  filter: WatchFilter;
  /** Events with rev > startRev are sent. */
  startRev: number;
  allowBookmarks: boolean;
  encoder: WatchEncoder;
  sink: WatchSink;
  coalescer: Coalescer;
  /** A watch whose unsent bytes exceed this is closed, as Kubernetes drops slow watchers. */
  maxBufferedBytes: number;
  onClose: (watch: ClientWatch) => void;
}

/** Above this many lines in one tick, the pending array is let go rather than kept. */
const MAX_KEPT_PENDING = 64;

export class ClientWatch implements Flushable {
  readonly filter: WatchFilter;
  /** Highest revision this watch has been told about (events or bookmarks). */
  lastRev: number;
  readonly allowBookmarks: boolean;
  private pending: (string | Buffer)[] = [];
  private closed = false;
  private readonly opts: ClientWatchOptions;
  /** Events delivered so far (for metrics and benchmarks). */
  delivered = 0;
  /** When (performance.now) the watch cache next sends it a bookmark. */
  nextBookmarkMs = 0;

  constructor(opts: ClientWatchOptions) {
    this.opts = opts;
    this.filter = opts.filter;
    this.lastRev = opts.startRev;
    this.allowBookmarks = opts.allowBookmarks;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  matches(entry: CacheEntry): boolean {
    const f = this.filter;
    if (f.namespace !== undefined && entry.namespace !== f.namespace) return false;
    if (!f.fields.isEverything && !f.fields.matches(entry.fields)) return false;
    return f.labels.isEverything || f.labels.matches(entry.labels);
  }

  /** Sends what `event` means to this watch, if anything. */
  offer(event: CacheEvent): void {
    if (this.closed || event.rev <= this.lastRev) return;
    const now = this.matches(event.cur);
    const before = event.prev !== undefined && this.matches(event.prev);
    let type: WatchEventType | undefined;
    if (event.type === 'DELETED') type = before ? 'DELETED' : undefined;
    else if (now) type = before ? 'MODIFIED' : 'ADDED';
    else if (before) type = 'DELETED';
    if (type !== undefined) this.send(type, event.cur);
    this.lastRev = event.rev;
  }

  /** Synthetic ADDED for an object that exists when the watch starts (no version given). */
  sendInitial(entry: CacheEntry): void {
    if (this.matches(entry)) this.send('ADDED', entry);
  }

  bookmark(rev: number): void {
    if (this.closed || !this.allowBookmarks) return;
    this.lastRev = Math.max(this.lastRev, rev);
    this.queue(this.opts.encoder.bookmark(this.lastRev));
  }

  /** Sends an ERROR event (e.g. 410 Gone) and ends the stream. */
  fail(status: Status): void {
    if (this.closed) return;
    this.queue(this.opts.encoder.error(status));
    this.close();
  }

  private send(type: WatchEventType, entry: CacheEntry): void {
    this.delivered++;
    this.queue(this.opts.encoder.event(type, entry));
  }

  private queue(line: string | Buffer): void {
    this.pending.push(line);
    this.opts.coalescer.mark(this);
  }

  flush(): void {
    if (this.pending.length === 0) return;
    // One line goes out as it is (often a Buffer shared by every watch it matched).
    const chunk =
      this.pending.length === 1
        ? (this.pending[0] ?? '')
        : Buffer.concat(this.pending.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
    // The array is kept for the next tick (one allocation per watch, not per event), unless a
    // backlog made it large.
    if (this.pending.length > MAX_KEPT_PENDING) this.pending = [];
    else this.pending.length = 0;
    this.opts.sink.write(chunk);
    if (!this.closed && this.opts.sink.writableLength > this.opts.maxBufferedBytes) this.close();
  }

  /** Ends the stream after sending what is queued. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.opts.coalescer.forget(this);
    this.flush();
    this.opts.sink.end();
    this.opts.onClose(this);
  }
}
