/**
 * One direction of a relayed TCP connection (pure, clock and timers passed in): deliveries (a
 * chunk's write, the end, a reset) leave in the order they came, each `delayMs` after it came
 * under a delay, none while partitioned. What a partition held leaves when it heals, as TCP
 * retransmits what a black hole dropped; nothing is ever refused or reordered.
 */
import type { QueueTimers } from '../../kube/work-queue.js';

/** What the network does to a relayed target's traffic now. */
export type NetMode = { kind: 'pass' } | { kind: 'delay'; delayMs: number } | { kind: 'partition' };

export const PASS: NetMode = { kind: 'pass' };

export interface LineClock {
  now(): number;
  timers: QueueTimers;
}

interface Pending {
  /** When it may leave; Infinity: held by a partition (set when it heals). */
  dueMs: number;
  deliver: () => void;
}

export class DelayLine {
  private readonly queue: Pending[] = [];
  private timer: unknown;
  private closed = false;

  constructor(
    private mode: NetMode,
    private readonly clock: LineClock,
  ) {}

  /** Sends `deliver` down the line, behind everything sent before it. */
  push(deliver: () => void): void {
    if (this.closed) return;
    // The common case, no fault and nothing in flight: straight through, nothing allocated.
    if (this.mode.kind === 'pass' && this.queue.length === 0) {
      deliver();
      return;
    }
    this.queue.push({ dueMs: this.dueFromNow(), deliver });
    if (this.queue.length === 1) this.pump();
  }

  /** Changes what the line does; a heal releases what the partition held, `delayMs` from now. */
  setMode(mode: NetMode): void {
    const healed = this.mode.kind === 'partition' && mode.kind !== 'partition';
    this.mode = mode;
    if (healed) {
      const due = this.dueFromNow();
      for (const p of this.queue) if (p.dueMs === Infinity) p.dueMs = due;
    }
    this.pump();
  }

  /** Deliveries waiting (in flight or held). */
  get pending(): number {
    return this.queue.length;
  }

  /** Drops what waits and delivers nothing more (the relay is closing). */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.clock.timers.clearTimeout(this.timer);
  }

  private dueFromNow(): number {
    const now = this.clock.now();
    switch (this.mode.kind) {
      case 'pass':
        return now;
      case 'delay':
        return now + this.mode.delayMs;
      case 'partition':
        return Infinity;
    }
  }

  private pump(): void {
    this.clock.timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.mode.kind === 'partition' || this.closed) return;
    while (this.queue.length > 0) {
      const head = this.queue[0] as Pending;
      const wait = head.dueMs - this.clock.now();
      if (wait > 0) {
        this.timer = this.clock.timers.setTimeout(() => {
          this.pump();
        }, wait);
        return;
      }
      this.queue.shift();
      // A delivery that closes the line empties the queue, which ends this loop.
      head.deliver();
    }
  }
}
