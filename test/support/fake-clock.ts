/** Timers on a fake clock: advance() fires what comes due, in order, and lets promises settle. */
import type { QueueTimers } from '../../src/kube/work-queue.js';

export class FakeClock implements QueueTimers {
  nowMs = 0;
  private next = 0;
  private readonly due = new Map<number, { atMs: number; fn: () => void }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.due.set(id, { atMs: this.nowMs + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number);
  }
  get pending(): number {
    return this.due.size;
  }
  async advance(ms: number): Promise<void> {
    const end = this.nowMs + ms;
    for (;;) {
      const [id, t] = [...this.due].sort((a, b) => a[1].atMs - b[1].atMs)[0] ?? [];
      if (id === undefined || t === undefined || t.atMs > end) break;
      this.due.delete(id);
      this.nowMs = t.atMs;
      t.fn();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
    this.nowMs = end;
  }
}
