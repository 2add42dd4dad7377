/**
 * Which etcd member a client should use next. A member that failed at the connection level stays
 * out for a back-off that doubles with each failure in a row and resets once it accepts a
 * connection again, like clientv3's unhealthy-endpoint list. Pure: the time is passed in.
 */
export interface EndpointHealthOptions {
  count: number;
  /** @default 500 */
  firstBackoffMs?: number;
  /** @default 8000 */
  maxBackoffMs?: number;
}

export class EndpointHealth {
  private readonly downUntil: number[];
  private readonly failures: number[];
  private readonly firstMs: number;
  private readonly maxMs: number;

  constructor(opts: EndpointHealthOptions) {
    this.downUntil = new Array<number>(opts.count).fill(0);
    this.failures = new Array<number>(opts.count).fill(0);
    this.firstMs = opts.firstBackoffMs ?? 500;
    this.maxMs = opts.maxBackoffMs ?? 8000;
  }

  /** Member i failed at `now`; returns when it may be tried (probed) again. */
  markDown(i: number, now: number): number {
    const failures = (this.failures[i] ?? 0) + 1;
    this.failures[i] = failures;
    const until = now + Math.min(this.maxMs, this.firstMs * 2 ** (failures - 1));
    this.downUntil[i] = until;
    return until;
  }

  /** Member i accepted a connection. */
  markUp(i: number): void {
    this.failures[i] = 0;
    this.downUntil[i] = 0;
  }

  isDown(i: number, now: number): boolean {
    return (this.downUntil[i] ?? 0) > now;
  }

  /** Whether every member is in back-off. */
  allDown(now: number): boolean {
    return this.downUntil.every((until) => until > now);
  }

  /**
   * The first member after `from` (wrapping round, `from` itself last) that is not in back-off;
   * when all are, the one whose back-off ends first.
   */
  next(from: number, now: number): number {
    const n = this.downUntil.length;
    let soonest = (from + 1) % n;
    for (let step = 1; step <= n; step++) {
      const i = (from + step) % n;
      if (!this.isDown(i, now)) return i;
      if ((this.downUntil[i] ?? 0) < (this.downUntil[soonest] ?? 0)) soonest = i;
    }
    return soonest;
  }
}
