/**
 * A controller work queue (client-go's workqueue semantics, in one event loop): a key added while
 * queued is queued once; a key added while being processed is processed again afterwards, never
 * concurrently; at most `workers` keys are processed at a time; a failed key is retried after an
 * exponential per-key backoff, and its count is forgotten on success. Idle, it holds no timer.
 */
export interface WorkQueueOptions {
  process: (key: string) => Promise<void>;
  /** Keys processed concurrently (upstream's agent default). @default 2 */
  workers?: number;
  /** First retry delay; doubles per consecutive failure (upstream: 200 ms). @default 200 */
  retryBaseMs?: number;
  /** @default 60000 */
  retryMaxMs?: number;
  /** Runs `fn` after `ms`; returns a canceller. @default setTimeout */
  schedule?: (ms: number, fn: () => void) => () => void;
  onError?: (key: string, error: unknown, retryInMs: number) => void;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private head = 0;
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly retries = new Map<string, () => void>();
  private running = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: WorkQueueOptions) {}

  /** Keys queued or being processed. */
  get length(): number {
    return this.queue.length - this.head + this.processing.size;
  }

  add(key: string): void {
    if (this.stopped || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.kick();
  }

  /** Adds `key` after its backoff; the backoff doubles each time until forget(key) or a success. */
  addRateLimited(key: string, error?: unknown): void {
    if (this.stopped || this.retries.has(key)) return;
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const ms = Math.min((this.opts.retryBaseMs ?? 200) * 2 ** n, this.opts.retryMaxMs ?? 60_000);
    this.opts.onError?.(key, error, ms);
    const schedule = this.opts.schedule ?? defaultSchedule;
    this.retries.set(
      key,
      schedule(ms, () => {
        this.retries.delete(key);
        this.add(key);
      }),
    );
  }

  /** Resolves when nothing is queued or processing (retries may still be scheduled). */
  idle(): Promise<void> {
    if (this.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Takes no more keys, cancels retries, and resolves once keys in process are done. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const cancel of this.retries.values()) cancel();
    this.retries.clear();
    this.queue.length = 0;
    this.head = 0;
    this.dirty.clear();
    await this.idle();
  }

  private kick(): void {
    const workers = this.opts.workers ?? 2;
    while (this.running < workers && this.head < this.queue.length) {
      this.running++;
      void this.work();
    }
  }

  private async work(): Promise<void> {
    for (let key = this.next(); key !== undefined; key = this.next()) {
      this.dirty.delete(key);
      this.processing.add(key);
      try {
        await this.opts.process(key);
        this.failures.delete(key);
      } catch (e: unknown) {
        this.addRateLimited(key, e);
      }
      this.processing.delete(key);
      if (this.dirty.has(key) && !this.stopped) this.queue.push(key);
    }
    this.running--;
    if (this.length === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private next(): string | undefined {
    if (this.head >= this.queue.length) return undefined;
    const key = this.queue[this.head++];
    if (this.head > 64 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return key;
  }
}

function defaultSchedule(ms: number, fn: () => void): () => void {
  const t = setTimeout(fn, ms);
  return () => {
    clearTimeout(t);
  };
}
