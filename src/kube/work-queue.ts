/**
 * client-go's rate-limited work queue, for string keys, shared by every controller of the testbed
 * (IPAM, subnet validator, namespace lifecycle, hollow agents): a key waits in the queue at most
 * once however often it is added; a key being processed is never handed to a second worker, and
 * adds that arrive meanwhile cause exactly one more run after `done`. Failures back off
 * exponentially per key until `forget`. Timers are passed in, so tests need no real sleeps.
 */

export interface QueueTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface WorkQueueOptions {
  /** Delay before the first retry of a failed key; doubles per failure. @default 50 */
  baseDelayMs?: number;
  /** Longest retry delay. @default 10000 */
  maxDelayMs?: number;
  /** @default the global setTimeout/clearTimeout, unref'd */
  timers?: QueueTimers;
  /** Called with the number of keys waiting whenever it changes (for a depth gauge). */
  onDepth?: (depth: number) => void;
}

/** The global setTimeout/clearTimeout, unref'd (nothing here keeps a process alive). */
export const realTimers: QueueTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

export class WorkQueue {
  private items: string[] = [];
  private head = 0;
  /** Keys that are queued or must run again after their current run. */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<unknown>();
  private waiters: ((key: string | undefined) => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private shut = false;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly clock: QueueTimers;
  private readonly onDepth: ((depth: number) => void) | undefined;

  constructor(opts: WorkQueueOptions = {}) {
    this.baseDelayMs = opts.baseDelayMs ?? 50;
    this.maxDelayMs = opts.maxDelayMs ?? 10_000;
    this.clock = opts.timers ?? realTimers;
    this.onDepth = opts.onDepth;
  }

  /** Keys waiting for a worker. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Keys a worker holds now. */
  get active(): number {
    return this.processing.size;
  }

  /** Retries scheduled for later. */
  get delayed(): number {
    return this.timers.size;
  }

  get shuttingDown(): boolean {
    return this.shut;
  }

  add(key: string): void {
    if (this.shut || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  addAfter(key: string, ms: number): void {
    if (this.shut) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(handle);
      this.add(key);
    }, ms);
    this.timers.add(handle);
  }

  /** Schedules a retry after the key's next backoff step; returns the delay. */
  addRateLimited(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const delay = Math.min(this.baseDelayMs * 2 ** n, this.maxDelayMs);
    this.addAfter(key, delay);
    return delay;
  }

  /** Failures counted for a key since its last `forget`. */
  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  /** The next key, marked as processing; undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.shut) return Promise.resolve(undefined);
    const key = this.shift();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends a key's run; a key added meanwhile goes back into the queue. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shut) this.push(key);
    else if (this.processing.size === 0 && this.length === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves when no key is queued or being processed (retries may still be scheduled). */
  idle(): Promise<void> {
    if (this.processing.size === 0 && this.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Wakes every waiting `get` with undefined and drops pending retries. */
  shutdown(): void {
    this.shut = true;
    for (const handle of this.timers) this.clock.clearTimeout(handle);
    this.timers.clear();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(undefined);
    // What waits in the queue is dropped, as client-go's ShutDown hands out nothing more.
    for (const key of this.items.slice(this.head)) this.dirty.delete(key);
    this.items = [];
    this.head = 0;
    this.onDepth?.(0);
    if (this.processing.size === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private push(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      waiter(key);
      return;
    }
    this.items.push(key);
    this.onDepth?.(this.length);
  }

  private shift(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const key = this.items[this.head] as string;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.dirty.delete(key);
    this.processing.add(key);
    this.onDepth?.(this.length);
    return key;
  }
}

/**
 * Runs `count` workers over the queue until it is shut down; resolves when every worker has
 * finished its current key. A run that throws is retried with the key's backoff.
 */
export async function runWorkers(
  queue: WorkQueue,
  count: number,
  process: (key: string) => Promise<void>,
  onError: (key: string, error: unknown, retryInMs: number) => void = () => undefined,
): Promise<void> {
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await process(key);
        queue.forget(key);
      } catch (e: unknown) {
        if (!queue.shuttingDown) onError(key, e, queue.addRateLimited(key));
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: count }, worker));
}
