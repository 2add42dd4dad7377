/**
 * Keeps exported counters monotonic per series across process restarts (pure state, no I/O).
 * Each reading comes with an epoch that changes exactly when its source starts again from zero
 * (a new pid in proc mode, a restarted node stats server): then everything the old source
 * counted, as last seen, becomes an offset. Within an epoch a reading that goes down (a
 * descendant that died unreaped, say) holds the last value instead of going back.
 */

interface CounterState {
  epoch: string;
  last: number;
  offset: number;
}

export class MonotonicCounters {
  private readonly series = new Map<string, CounterState>();

  /** The value to export for `key` given the source's current reading. */
  observe(key: string, epoch: string, reading: number): number {
    const s = this.series.get(key);
    if (s === undefined) {
      this.series.set(key, { epoch, last: reading, offset: 0 });
      return reading;
    }
    if (s.epoch !== epoch) {
      s.offset += s.last;
      s.epoch = epoch;
    } else if (reading < s.last) {
      s.offset += s.last - reading;
    }
    s.last = reading;
    return s.offset + reading;
  }

  /** Series tracked (they are kept for nodes that come back). */
  get size(): number {
    return this.series.size;
  }
}
