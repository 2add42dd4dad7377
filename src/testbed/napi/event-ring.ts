/**
 * The watch cache's recent history: a fixed-capacity ring of events in revision order. It holds
 * every event with rev > `oldestRev`, so a watch from any version at or after that can be served.
 */
import type { CacheEvent } from './cache-entry.js';

export class EventRing {
  private readonly slots: (CacheEvent | undefined)[];
  private start = 0;
  private size = 0;

  constructor(
    readonly capacity: number,
    /** Everything after this revision is in the ring. */
    public oldestRev: number,
  ) {
    this.slots = new Array<CacheEvent | undefined>(capacity);
  }

  push(event: CacheEvent): void {
    if (this.size === this.capacity) {
      const evicted = this.slots[this.start];
      if (evicted !== undefined) this.oldestRev = evicted.rev;
      this.slots[this.start] = event;
      this.start = (this.start + 1) % this.capacity;
      return;
    }
    this.slots[(this.start + this.size) % this.capacity] = event;
    this.size++;
  }

  /** Forgets everything; history now starts after `rev`. */
  reset(rev: number): void {
    this.slots.fill(undefined);
    this.start = 0;
    this.size = 0;
    this.oldestRev = rev;
  }

  get length(): number {
    return this.size;
  }

  private at(i: number): CacheEvent {
    const event = this.slots[(this.start + i) % this.capacity];
    if (event === undefined) throw new Error(`event ring slot ${i} is empty`);
    return event;
  }

  /** Events with rev > `rev`, oldest first (binary search, then a scan of just those). */
  *after(rev: number): Generator<CacheEvent> {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).rev <= rev) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.size; i++) yield this.at(i);
  }
}
