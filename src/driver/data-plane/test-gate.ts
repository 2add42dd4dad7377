/**
 * Between the pacer and the executor when tests run: decides each create's test
 * (connectivity-domains.ts), holds a create drawn for a full test while its VN has pending
 * attachments but none tested yet (at most --pending-wait, on the injected timers), and sends it
 * with its commands. A held create's wait counts in its lateness (it is sent late) and in its own
 * histogram. Fed by the observer: tested (passed or failed) and gone attachments.
 */
import { latencyHistogram, recordMs, type Histogram } from '../../measure/histogram.js';
import { ConnectivityDomains, type TestDecision, type TestKind } from './connectivity-domains.js';
import type { TestPeer } from './test-commands.js';

export interface GateTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface TestGateOptions {
  /** VN (index into the plan's networks) of book index i. */
  vnOf(i: number): number;
  vnCount: number;
  testFraction: number;
  pendingWaitMs: number;
  /** Uniform [0, 1): the full-test draw (seeded, so a run replays). */
  draw(): number;
  /** The peer's address and name, from what the observer saw. */
  peerOf(i: number): TestPeer | undefined;
  /** Sends create i, issued at `t`, with its test. */
  send(
    i: number,
    phase: number,
    planned: number,
    t: number,
    test: TestKind,
    peer: TestPeer | undefined,
  ): void;
  clock: { now(): number };
  timers: GateTimers;
}

interface Held {
  phase: number;
  planned: number;
  since: number;
  timer: unknown;
}

export class TestGate {
  readonly domains: ConnectivityDomains;
  private readonly held = new Map<number, Held>();
  /** How long each held create waited for a peer (ms). */
  readonly waits: Histogram = latencyHistogram();
  /** Creates sent with a full / setup-only test, and held ones. */
  readonly sent = { full: 0, setup: 0, held: 0 };

  constructor(private readonly o: TestGateOptions) {
    this.domains = new ConnectivityDomains(o.vnCount);
  }

  get heldCount(): number {
    return this.held.size;
  }

  create(i: number, phase: number, planned: number, t: number): void {
    const vn = this.o.vnOf(i);
    const drawnFull = this.o.testFraction > 0 && this.o.draw() < this.o.testFraction;
    const decision =
      this.o.testFraction > 0 ? this.domains.decide(vn, drawnFull) : ({ kind: 'none' } as const);
    if (decision.kind !== 'wait') {
      this.dispatch(i, phase, planned, t, decision);
      return;
    }
    this.sent.held++;
    const timer = this.o.timers.set(() => {
      this.release(i, 'expired');
    }, this.o.pendingWaitMs);
    this.held.set(i, { phase, planned, since: this.o.clock.now(), timer });
  }

  /** A held create goes now (its delete is due, or the run stops): with whatever test it can get. */
  flush(i: number): void {
    if (this.held.has(i)) this.release(i, 'flushed');
  }

  flushAll(): void {
    for (const i of [...this.held.keys()]) this.release(i, 'flushed');
  }

  isHeld(i: number): boolean {
    return this.held.has(i);
  }

  /** Attachment i's test passed: it is its VN's peer, and the VN's held creates go. */
  tested(i: number): void {
    const vn = this.o.vnOf(i);
    this.domains.noteTested(vn, i);
    this.releaseVn(vn);
  }

  /** Attachment i failed its test, broke, failed to create or is deleted. */
  gone(i: number): void {
    const vn = this.o.vnOf(i);
    this.domains.noteGone(vn, i);
    if (this.domains.pendingCount(vn) === 0) this.releaseVn(vn);
  }

  private releaseVn(vn: number): void {
    for (const i of [...this.held.keys()]) if (this.o.vnOf(i) === vn) this.release(i, 'woken');
  }

  private release(i: number, why: 'expired' | 'flushed' | 'woken'): void {
    const h = this.held.get(i);
    if (h === undefined) return;
    this.held.delete(i);
    if (why !== 'expired') this.o.timers.clear(h.timer);
    const now = this.o.clock.now();
    recordMs(this.waits, now - h.since);
    this.dispatch(i, h.phase, h.planned, now, this.domains.decide(this.o.vnOf(i), true, true));
  }

  private dispatch(i: number, phase: number, planned: number, t: number, d: TestDecision): void {
    const peer = d.kind === 'full' ? this.o.peerOf(d.peer) : undefined;
    // A peer without a known address cannot be pinged: the create gets a setup-only test.
    const kind: TestKind =
      d.kind === 'full' ? (peer === undefined ? 'setup' : 'full') : d.kind === 'setup' ? 'setup' : 'none';
    if (kind !== 'none') {
      this.domains.notePending(this.o.vnOf(i), i);
      this.sent[kind]++;
    }
    this.o.send(i, phase, planned, t, kind, peer);
  }
}
