/**
 * client-go's rate-limited work queue, small: a key is queued at most once, never handed to two
 * workers at a time (a key added while it is being processed is processed again after), and a
 * failing key comes back after an exponential per-key delay until it succeeds.
 */
export interface WorkQueueOptions {
  /** First retry delay. @default 100 */
  retryBaseMs?: number;
  /** Longest retry delay. @default 10000 */
  retryMaxMs?: number;
  /** Called when the queue's length changes (for a depth gauge). */
  onDepth?: (depth: number) => void;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  /** Added while processing: queued again when done. */
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(private readonly opts: WorkQueueOptions = {}) {
    this.baseMs = opts.retryBaseMs ?? 100;
    this.maxMs = opts.retryMaxMs ?? 10_000;
  }

  get length(): number {
    return this.queue.length;
  }

  add(key: string): void {
    if (this.shuttingDown) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      this.processing.add(key);
      waiter(key);
      return;
    }
    this.queued.add(key);
    this.queue.push(key);
    this.opts.onDepth?.(this.queue.length);
  }

  /** The next key to process, waiting for one; undefined once the queue is shut down (the rest is dropped). */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) {
      this.queued.delete(key);
      this.processing.add(key);
      this.opts.onDepth?.(this.queue.length);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends processing of `key`; it is queued again if it was added meanwhile. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  /** The key failed: it comes back after its next backoff delay, which this returns. */
  retry(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const delay = Math.min(this.maxMs, this.baseMs * 2 ** failures);
    if (!this.shuttingDown && !this.timers.has(key)) {
      const timer = setTimeout(() => {
        this.timers.delete(key);
        this.add(key);
      }, delay);
      timer.unref();
      this.timers.set(key, timer);
    }
    return delay;
  }

  /** The key succeeded (or is gone): its backoff starts over. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** How many times `key` has failed since it last succeeded. */
  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}
