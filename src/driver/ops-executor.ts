/**
 * Issues the driver's creates and deletes on the keep-alive client and books every answer. Called
 * by the pacer, so nothing here blocks: each op is a promise the executor keeps track of, and a
 * create issued while every connection is busy waits as a bare index until one frees.
 * Failed creates are not retried (their slot's delete is skipped); deletes are retried with
 * backoff 100 ms .. 5 s (a 404 means the object is already gone, which is success).
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatMicroTime } from '../api/micro-time.js';
import { isNotFound } from '../kube/kube-api-error.js';
import type { LeanHttp } from '../kube/lean-http.js';
import type { RestClient } from '../kube/rest-client.js';
import { apiPath } from '../kube/api-path.js';
import { recordMs } from '../measure/histogram.js';
import {
  STATE_CREATE_FAILED,
  STATE_CREATE_SENT,
  STATE_CREATED,
  STATE_DELETE_FAILED,
  STATE_DELETE_SENT,
  STATE_DELETED,
  type AttachmentBook,
} from './attachment-book.js';
import type { DriverMetrics } from './driver-metrics.js';
import { attachmentName, attachmentSubnet, type DrivePlan } from './plan/drive-plan.js';
import type { PhaseStats } from './phase-stats.js';
import { IndexQueue } from '../util/index-queue.js';
import type { TestCommands } from './data-plane/test-commands.js';

const DELETE_BACKOFF_START_MS = 100;
const DELETE_BACKOFF_MAX_MS = 5000;
const DELETE_MAX_TRIES = 20;

export interface ExecutorOptions {
  client: RestClient;
  plan: DrivePlan;
  book: AttachmentBook;
  stats: readonly [PhaseStats, PhaseStats, PhaseStats];
  metrics: DriverMetrics;
  namespace: string;
  labels: Record<string, string>;
  nodes: readonly string[];
  pickNode: () => number;
  clock: { now(): number; wallMs(): number };
  /** Which window (0..2) a send at monotonic time t falls in. */
  windowOf: (t: number) => number;
  lateThresholdMs: number;
  /** Stops delete retries. */
  hardSignal: AbortSignal;
  /** Called after each answer is booked: the driver lets the pacer fire what has come due. */
  onAnswer?: () => void;
  log: (message: string) => void;
}

export class OpExecutor {
  /** Deletes in flight (with their retries). */
  private readonly pending = new Set<Promise<void>>();
  /** Creates in flight, by attachment: a delete waits for its own create's answer. */
  private readonly creating = new Map<number, Promise<void>>();
  /**
   * Creates issued while every connection was busy, oldest first (an overloaded target): just
   * their indexes, so that thousands waiting cost the collector nothing. Each one's request is
   * built when a connection frees; its lateness and call latency still count from its issue.
   */
  private readonly waiting = new IndexQueue();
  /** Deletes of creates still waiting, told when their create goes out. */
  private readonly afterPost = new Map<number, () => void>();
  /** Creates that waited for a connection, and the most that waited at once. */
  readonly queued = { total: 0, most: 0 };
  private frozen = false;
  private failuresLogged = 0;
  inFlight = 0;
  readonly deletes = { attempted: 0, succeeded: 0, failed: 0, retries: 0 };
  private readonly http: LeanHttp;
  /** The attachments' collection path; a delete appends the name. */
  private readonly path: string;
  private readonly body: CreateBody;
  /** Test commands of creates not yet posted (few: only tested attachments carry them). */
  private readonly execs = new Map<number, TestCommands>();

  /**
   * Ends the deletes' back-off waits on a hard stop. Each waiting delete listens on it, and a
   * target that fails every delete for a moment has as many waiting as deletes were in flight:
   * on a signal of their own, not the run's, where more than ten read as a listener leak.
   */
  private readonly retryWaits = new AbortController();

  constructor(private readonly o: ExecutorOptions) {
    setMaxListeners(0, this.retryWaits.signal);
    if (o.hardSignal.aborted) this.retryWaits.abort();
    else
      o.hardSignal.addEventListener(
        'abort',
        () => {
          this.retryWaits.abort();
        },
        { once: true },
      );
    this.http = o.client.sender();
    this.path = apiPath({
      group: 'network.example.com',
      version: 'v1alpha1',
      resource: 'networkattachments',
      namespace: o.namespace,
    });
    this.body = createBody(o.namespace, o.labels, o.nodes);
  }

  /** After a hard stop, late answers (e.g. from the closed pool) must not change the book. */
  freeze(): void {
    this.frozen = true;
    // Waiting creates are never sent (like requests a closed client drops); their deletes end.
    this.inFlight -= this.waiting.length;
    this.o.metrics.inFlight.dec(this.waiting.length);
    this.waiting.clear();
    for (const posted of this.afterPost.values()) posted();
    this.afterPost.clear();
  }

  /** Resolves when every op issued so far has its final answer. */
  async settled(): Promise<void> {
    for (;;) {
      // Answers send the waiting creates; with no create in flight to answer, send them here.
      if (this.creating.size === 0) this.sendWaiting();
      const inFlight = [...this.pending, ...this.creating.values()];
      if (inFlight.length > 0) await Promise.allSettled(inFlight);
      else if (this.waiting.length > 0)
        await sleep(1); // the connections are busy with others' requests
      else return;
    }
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private sentOp(phase: number, planned: number, t: number, kind: 'create' | 'delete'): void {
    const s = this.o.stats[phase] as PhaseStats;
    s.issued++;
    if (kind === 'create') s.creates++;
    else s.deletes++;
    const lateness = t - planned;
    s.recordLateness(lateness);
    this.o.metrics.lateness.observe(Math.max(0, lateness) / 1000);
    if (lateness > this.o.lateThresholdMs) {
      s.late++;
      this.o.metrics.lateOps.inc();
    }
    const w = this.o.stats[this.o.windowOf(t)];
    if (w !== undefined) w.sentInWindow++;
  }

  create(i: number, phase: number, planned: number, t: number, exec?: TestCommands): void {
    const { book } = this.o;
    if (exec !== undefined) this.execs.set(i, exec);
    book.sent[i] = t;
    book.mark(i, STATE_CREATE_SENT);
    this.sentOp(phase, planned, t, 'create');
    this.inFlight++;
    this.o.metrics.inFlight.inc();
    if (this.waiting.length === 0 && this.http.hasRoom()) this.post(i, phase, t);
    else {
      this.waiting.push(i);
      this.queued.total++;
      this.queued.most = Math.max(this.queued.most, this.waiting.length);
    }
  }

  private isWaiting(i: number): boolean {
    const { book } = this.o;
    return (
      book.has(i, STATE_CREATE_SENT) &&
      !this.creating.has(i) &&
      !book.has(i, STATE_CREATED) &&
      !book.has(i, STATE_CREATE_FAILED)
    );
  }

  /** Creates issued but not yet on a connection. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Sends the waiting creates, oldest first, while a connection is free. */
  private sendWaiting(): void {
    const { book } = this.o;
    while (this.waiting.length > 0 && this.http.hasRoom()) {
      const i = this.waiting.shift() ?? 0;
      this.post(i, book.phaseOf(i), book.sent[i] ?? 0);
    }
  }

  /** Puts create i, issued at t, on a connection. */
  private post(i: number, phase: number, t: number): void {
    const { book, plan, clock } = this.o;
    const a = book.ids[i] ?? 0;
    const node = this.o.pickNode();
    book.node[i] = node;
    const name = attachmentName(plan, a);
    // Stamped with the moment the op was issued, also when it waited for a connection.
    const issuedWallMs = clock.wallMs() - (clock.now() - t);
    const body = this.body.text(
      name,
      formatMicroTime(issuedWallMs * 1000),
      node,
      attachmentSubnet(plan, a)?.name ?? '',
      this.execs.get(i),
    );
    this.execs.delete(i);
    // One promise per create (its answer settles the book and the counts at once).
    const done = this.http.send('POST', this.path, body).then(
      () => {
        this.answered(i);
        if (this.frozen) return;
        const now = clock.now();
        book.created[i] = now;
        book.mark(i, STATE_CREATED);
        recordMs((this.o.stats[phase] as PhaseStats).createCall, now - t);
        this.o.metrics.createLatency.observe((now - t) / 1000);
        this.o.metrics.successfulCreates.inc();
        this.afterAnswer();
      },
      (e: unknown) => {
        this.answered(i);
        if (this.frozen) return;
        book.mark(i, STATE_CREATE_FAILED);
        this.o.metrics.failedCreates.inc();
        if (this.failuresLogged++ < 5) this.o.log(`create ${name} failed: ${String(e)}`);
        this.afterAnswer();
      },
    );
    this.creating.set(i, done);
    this.afterPost.get(i)?.();
    this.afterPost.delete(i);
  }

  /** An answer freed a connection: the next waiting create takes it, then the pacer fires what is due. */
  private afterAnswer(): void {
    this.sendWaiting();
    this.o.onAnswer?.();
  }

  private answered(i: number): void {
    this.inFlight--;
    this.o.metrics.inFlight.dec();
    this.creating.delete(i);
  }

  /** Deletes attachment i; waits for its create's answer first, and skips it if that failed. */
  delete(i: number, phase: number, planned: number): void {
    const run = async (): Promise<void> => {
      if (this.isWaiting(i)) await new Promise<void>((posted) => this.afterPost.set(i, posted));
      const creating = this.creating.get(i);
      if (creating !== undefined) await creating;
      const { book } = this.o;
      if (this.frozen || !book.has(i, STATE_CREATED) || book.has(i, STATE_DELETE_SENT)) return;
      book.mark(i, STATE_DELETE_SENT);
      this.sentOp(phase, planned, this.o.clock.now(), 'delete');
      this.deletes.attempted++;
      this.inFlight++;
      this.o.metrics.inFlight.inc();
      try {
        await this.deleteWithRetries(i, phase);
      } finally {
        this.inFlight--;
        this.o.metrics.inFlight.dec();
        this.afterAnswer();
      }
    };
    this.track(run());
  }

  private async deleteWithRetries(i: number, phase: number): Promise<void> {
    const { book, plan } = this.o;
    const name = attachmentName(plan, book.ids[i] ?? 0);
    const path = `${this.path}/${encodeURIComponent(name)}`;
    let backoff = DELETE_BACKOFF_START_MS;
    for (let attempt = 1; ; attempt++) {
      const t = this.o.clock.now();
      try {
        await this.http.send('DELETE', path);
        this.deleted(i, phase, t);
        return;
      } catch (e: unknown) {
        if (this.frozen) return;
        if (isNotFound(e)) {
          this.deleted(i, phase, t);
          return;
        }
        this.o.metrics.failedDeletes.inc();
        if (attempt >= DELETE_MAX_TRIES || this.o.hardSignal.aborted) {
          book.mark(i, STATE_DELETE_FAILED);
          this.deletes.failed++;
          this.o.log(`delete ${name} failed after ${attempt} tries: ${String(e)}`);
          return;
        }
        this.deletes.retries++;
        await sleep(backoff, undefined, { signal: this.retryWaits.signal }).catch(() => undefined);
        backoff = Math.min(DELETE_BACKOFF_MAX_MS, backoff * 2);
      }
    }
  }

  private deleted(i: number, phase: number, t: number): void {
    if (this.frozen) return;
    const now = this.o.clock.now();
    this.o.book.mark(i, STATE_DELETED);
    this.deletes.succeeded++;
    recordMs((this.o.stats[phase] as PhaseStats).deleteCall, now - t);
    this.o.metrics.deleteLatency.observe((now - t) / 1000);
    this.o.metrics.successfulDeletes.inc();
  }

  /** Attachments created (or still being created) and not yet deleted: what a drain deletes. */
  live(): number[] {
    const { book } = this.o;
    const out: number[] = [];
    for (let i = 0; i < book.size; i++) {
      if (
        book.has(i, STATE_CREATE_SENT) &&
        !book.has(i, STATE_CREATE_FAILED) &&
        !book.has(i, STATE_DELETE_SENT)
      )
        out.push(i);
    }
    return out;
  }
}

/**
 * The create's JSON text, built from pieces made once per run with only the name, the
 * timestamp, the node and the subnet spliced in: the same bytes JSON.stringify gives the object
 * (a unit test holds them equal) at a fraction of its cost per op.
 */
export interface CreateBody {
  /** `exec`: a tested attachment's spec.postCreateExec and spec.postDeleteExec. */
  text(name: string, createTimestamp: string, node: number, subnet: string, exec?: TestCommands): string;
}

export function createBody(
  namespace: string,
  labels: Record<string, string>,
  nodes: readonly string[],
): CreateBody {
  const head = '{"apiVersion":"network.example.com/v1alpha1","kind":"NetworkAttachment","metadata":{"name":';
  const middle = `,"namespace":${JSON.stringify(namespace)},"labels":${JSON.stringify(labels)},"annotations":{"precise/createTimestamp":`;
  const nodeJson = nodes.map((n) => JSON.stringify(n));
  const noNode = JSON.stringify('');
  return {
    text: (name, createTimestamp, node, subnet, exec) =>
      `${head}${JSON.stringify(name)}${middle}${JSON.stringify(createTimestamp)}}},"spec":{"node":${nodeJson[node] ?? noNode},"subnet":${JSON.stringify(subnet)}${exec === undefined ? '' : `,"postCreateExec":${JSON.stringify(exec.postCreateExec)},"postDeleteExec":${JSON.stringify(exec.postDeleteExec)}`}}}`,
  };
}
