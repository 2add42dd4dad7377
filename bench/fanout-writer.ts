/**
 * The writes of one watch-fanout phase, fired open-loop through a keep-alive undici Pool: creates
 * and address-assigning status writes in the order of fanout-plan.ts. Counts what succeeded and
 * the deliveries that success implies, so the watchers' counts can be checked against it.
 */
import type { Pool } from 'undici';
import { latencyHistogram, monoMs, type Histogram } from './bench-kit.js';
import { attachmentOf, expectedDeliveries, writeAt, type FanoutPlan, type WatchKind } from './fanout-plan.js';
import { JSON_HEADERS, addressStatusJson, attachmentJson, attachmentsPath, statusPath } from './napi-api.js';

export interface WriterCounts {
  createsOk: number;
  statusOk: number;
  failed: number;
  /** Status writes never sent because their attachment's create failed. */
  statusSkipped: number;
  /** Status writes sent late because their create was still unanswered `lag` creates later. */
  statusDeferred: number;
  firstError: string | undefined;
  expected: Record<WatchKind, number>;
  /** Most writes in flight at once. */
  maxInFlight: number;
}

function emptyCounts(): WriterCounts {
  return {
    createsOk: 0,
    statusOk: 0,
    failed: 0,
    statusSkipped: 0,
    statusDeferred: 0,
    firstError: undefined,
    expected: { node: 0, vni: 0 },
    maxInFlight: 0,
  };
}

function addExpected(counts: WriterCounts, d: Record<WatchKind, number>): void {
  counts.expected.node += d.node;
  counts.expected.vni += d.vni;
}

export class FanoutWriter {
  private next = 0;
  /** Attachments whose create was answered and whose address is not assigned yet. */
  private readonly created = new Set<number>();
  private readonly creating = new Set<number>();
  /** Attachments whose status write is due but waits for their create's answer. */
  private readonly deferred = new Set<number>();
  private inFlight = 0;
  private idle: (() => void)[] = [];
  counts = emptyCounts();
  /** Microseconds from sending a write to its answer. */
  latency: Histogram = latencyHistogram();

  constructor(
    private readonly pool: Pool,
    private readonly namespace: string,
    private readonly plan: FanoutPlan,
    /** Creates between an attachment's create and its status write. */
    private readonly lag: number,
  ) {}

  /** Starts the next write of the schedule; returns at once. */
  readonly fire = (): void => {
    const write = writeAt(this.next++, this.lag);
    if (write.kind === 'create') {
      this.create(write.k);
      return;
    }
    const k = write.k;
    if (k === undefined) return; // still inside the first `lag` creates of the phase
    if (this.created.delete(k)) this.assignAddress(k);
    else if (this.creating.has(k)) {
      // Its create is still unanswered: send the status write as soon as it is.
      this.deferred.add(k);
      this.counts.statusDeferred++;
    } else this.counts.statusSkipped++;
  };

  private create(k: number): void {
    const a = attachmentOf(this.plan, k);
    this.creating.add(k);
    this.send(
      'POST',
      attachmentsPath(this.namespace),
      attachmentJson(a.name, a.node),
      201,
      (counts) => {
        counts.createsOk++;
        addExpected(counts, expectedDeliveries(this.plan, { kind: 'create' }));
        if (this.deferred.delete(k)) this.assignAddress(k);
        else this.created.add(k);
      },
      () => {
        if (this.deferred.delete(k)) this.counts.statusSkipped++;
      },
      () => this.creating.delete(k),
    );
  }

  private assignAddress(k: number): void {
    const a = attachmentOf(this.plan, k);
    this.send(
      'PUT',
      statusPath(this.namespace, a.name),
      addressStatusJson(this.namespace, a.name, a.node, a.vni, k),
      200,
      (counts) => {
        counts.statusOk++;
        addExpected(counts, expectedDeliveries(this.plan, { kind: 'status', k }));
      },
    );
  }

  /** Starts counting afresh (between warm-up and the measured window). */
  resetCounts(): void {
    this.counts = emptyCounts();
    this.latency = latencyHistogram();
  }

  /** Resolves when no write is in flight, or false after `timeoutMs`. */
  settle(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        resolve(false);
      }, timeoutMs);
      this.idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  get writesInFlight(): number {
    return this.inFlight;
  }

  private send(
    method: 'POST' | 'PUT',
    path: string,
    body: string,
    okStatus: number,
    onOk: (counts: WriterCounts) => void,
    onFail: () => void = () => undefined,
    onDone: () => void = () => undefined,
  ): void {
    const counts = this.counts;
    const latency = this.latency;
    const began = monoMs();
    this.inFlight++;
    if (this.inFlight > counts.maxInFlight) counts.maxInFlight = this.inFlight;
    this.pool
      .request({ path, method, headers: JSON_HEADERS, body })
      .then(async (res) => {
        if (res.statusCode === okStatus) {
          await res.body.dump();
          latency.recordValue(Math.max(1, Math.round((monoMs() - began) * 1000)));
          // A write answered after a reset counts where it was sent (callers settle first).
          onOk(counts);
          return;
        }
        const text = await res.body.text();
        throw new Error(`${method} ${path} answered ${res.statusCode}: ${text.slice(0, 200)}`);
      })
      .catch((e: unknown) => {
        onFail();
        counts.failed++;
        counts.firstError ??= e instanceof Error ? e.message : String(e);
      })
      .finally(() => {
        onDone();
        this.inFlight--;
        if (this.inFlight === 0) {
          const waiting = this.idle;
          this.idle = [];
          for (const w of waiting) w();
        }
      });
  }
}
