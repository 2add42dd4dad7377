/**
 * What the driver knows of each attachment it creates, in typed arrays indexed by the
 * attachment's place in this shard (found from the create counter in its name): no object per
 * attachment, so a million tracked attachments cost tens of megabytes, not gigabytes. Times are
 * on the driver's monotonic clock (ms); NaN means "not yet".
 */

export const STATE_CREATE_SENT = 1;
export const STATE_CREATED = 2;
export const STATE_CREATE_FAILED = 4;
export const STATE_DELETE_SENT = 8;
export const STATE_DELETED = 16;
export const STATE_DELETE_FAILED = 32;

/** TEST_* bits of `test`: which test the create carried, and what the watch saw of it. */
export const TEST_SETUP = 1;
export const TEST_FULL = 2;
export const TEST_FAILED = 4;
/** status.addressContention was true: excluded from the original's `_easy` histograms. */
export const ADDRESS_CONTENTION = 8;

/** Where the plan puts each attachment's create; the book derives planned times from it. */
export interface BookSchedule {
  /** Due time of the create of attachment `id`, ms after the start. */
  createDueMs(id: number): number;
  /** Phase (PHASE_*) of that create. */
  createPhase(id: number): number;
}

export class AttachmentBook {
  /** The run's start on the monotonic clock (set once the start time is chosen). */
  startMs = 0;
  /** Create counters of the tracked attachments, ascending (this shard's). */
  readonly ids: Int32Array;
  readonly sent: Float64Array;
  /** Create response received. */
  readonly created: Float64Array;
  /** status.ipv4 first seen. */
  readonly addressed: Float64Array;
  /** status.ifcName first seen: fulfilled. */
  readonly ready: Float64Array;
  /** status.errors first seen. */
  readonly broken: Float64Array;
  /** serverTime of writes[status.impl], apiserver wall clock, epoch ms. */
  readonly serverImpl: Float64Array;
  /** status.postCreateExecReport first seen: tested (or test failed, per TEST_FAILED). */
  readonly tested: Float64Array;
  /** TEST_* and ADDRESS_CONTENTION bits. */
  readonly test: Uint8Array;
  /** Index into the run's node list. */
  readonly node: Uint16Array | Uint32Array;
  /** STATE_* bits. */
  readonly state: Uint8Array;
  private readonly schedule: BookSchedule;

  constructor(ids: Int32Array, nodes: number, schedule: BookSchedule) {
    this.schedule = schedule;
    const n = ids.length;
    this.ids = ids;
    const times = (): Float64Array => new Float64Array(n).fill(Number.NaN);
    this.sent = times();
    this.created = times();
    this.addressed = times();
    this.ready = times();
    this.broken = times();
    this.serverImpl = times();
    this.tested = times();
    this.test = new Uint8Array(n);
    this.node = nodes <= 0xffff ? new Uint16Array(n) : new Uint32Array(n);
    this.state = new Uint8Array(n);
  }

  /** The create's planned time on the monotonic clock (derived, so it costs no bytes). */
  plannedOf(i: number): number {
    return this.startMs + this.schedule.createDueMs(this.ids[i] ?? 0);
  }

  phaseOf(i: number): number {
    return this.schedule.createPhase(this.ids[i] ?? 0);
  }

  get size(): number {
    return this.ids.length;
  }

  /** Place of create counter `id`, or -1 when it is not tracked here (binary search: no map). */
  indexOf(id: number): number {
    let lo = 0;
    let hi = this.ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.ids[mid] ?? 0;
      if (v === id) return mid;
      if (v < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  has(i: number, bit: number): boolean {
    return ((this.state[i] ?? 0) & bit) !== 0;
  }

  mark(i: number, bit: number): void {
    this.state[i] = (this.state[i] ?? 0) | bit;
  }

  /** Bytes held by the book's arrays. */
  bytes(): number {
    const arrays = [
      this.ids,
      this.sent,
      this.created,
      this.addressed,
      this.ready,
      this.broken,
      this.serverImpl,
      this.tested,
      this.test,
      this.node,
      this.state,
    ];
    return arrays.reduce((sum, a) => sum + a.byteLength, 0);
  }

  bytesPerAttachment(): number {
    return this.size === 0 ? 0 : this.bytes() / this.size;
  }
}
