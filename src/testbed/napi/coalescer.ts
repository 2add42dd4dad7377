/**
 * Batches every watch connection's pending events into one write per tick: a chunked write costs
 * about as much as parsing one event on the far side, so at thousands of watches coalescing is
 * what keeps the fan-out affordable. One timer for all connections, armed only while any is dirty.
 */
export interface Flushable {
  flush(): void;
}

export class Coalescer {
  private readonly dirty = new Set<Flushable>();
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;

  constructor(private readonly tickMs: number) {}

  mark(target: Flushable): void {
    this.dirty.add(target);
    if (this.timer !== undefined) return;
    this.timer = this.tickMs <= 0 ? setImmediate(this.flushAll) : setTimeout(this.flushAll, this.tickMs);
  }

  forget(target: Flushable): void {
    this.dirty.delete(target);
  }

  readonly flushAll = (): void => {
    this.timer = undefined;
    const targets = [...this.dirty];
    this.dirty.clear();
    for (const t of targets) t.flush();
  };

  stop(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    this.timer = undefined;
    this.flushAll();
  }
}
