/**
 * One timer for many delays: a min-heap of deadlines with a single Node timer armed for the
 * earliest. A group's thousands of concurrent fabric delays then cost one timer, and, when
 * nothing is pending, no timer at all (machine-facts.md: one timer per op drifts badly).
 */
import type { QueueTimers } from '../../kube/work-queue.js';

interface Pending {
  dueMs: number;
  seq: number;
  resolve: () => void;
}

export interface TimerQueueOptions {
  /** Monotonic milliseconds. @default performance.now */
  now?: () => number;
  /** The one Node timer (a fake clock's in tests). @default the global setTimeout/clearTimeout */
  timers?: QueueTimers;
}

const globalTimers: QueueTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

export class TimerQueue {
  private readonly heap: Pending[] = [];
  private readonly now: () => number;
  private readonly timers: QueueTimers;
  private timer: unknown;
  private armedFor = Infinity;
  private seq = 0;
  private stopped = false;

  constructor(opts: TimerQueueOptions = {}) {
    this.now = opts.now ?? (() => performance.now());
    this.timers = opts.timers ?? globalTimers;
  }

  get pending(): number {
    return this.heap.length;
  }

  /** Resolves after `ms` milliseconds (at once after stop()). */
  sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.push({ dueMs: this.now() + Math.max(0, ms), seq: this.seq++, resolve });
      this.arm();
    });
  }

  /** Resolves every pending sleep now and takes no more. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    for (const p of this.heap.splice(0)) p.resolve();
  }

  private arm(): void {
    const first = this.heap[0];
    if (first === undefined || first.dueMs >= this.armedFor) return;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.armedFor = first.dueMs;
    this.timer = this.timers.setTimeout(
      () => {
        this.fire();
      },
      Math.max(0, first.dueMs - this.now()),
    );
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    // A timer may fire a fraction of a millisecond early; take what is due within half a ms.
    const horizon = this.now() + 0.5;
    for (let top = this.heap[0]; top !== undefined && top.dueMs <= horizon; top = this.heap[0]) {
      this.pop();
      top.resolve();
    }
    this.arm();
  }

  private push(p: Pending): void {
    const h = this.heap;
    h.push(p);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const up = h[parent];
      if (up === undefined || !before(p, up)) break;
      h[i] = up;
      i = parent;
    }
    h[i] = p;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let child = l;
      const lp = h[l];
      const rp = h[r];
      if (lp === undefined) break;
      if (rp !== undefined && before(rp, lp)) child = r;
      const c = h[child];
      if (c === undefined || !before(c, last)) break;
      h[i] = c;
      i = child;
    }
    h[i] = last;
  }
}

function before(a: Pending, b: Pending): boolean {
  return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.seq < b.seq);
}
