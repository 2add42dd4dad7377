/**
 * The data-plane tests and address checks of one drive, wired between the pacer, the executor
 * and the observer: creates go through the test gate (their commands built here), deletes first
 * release a held create and free the address, and the watch's reports, breaks and addresses feed
 * the peer choice, the checks, the kos_driver_* test metrics and the stop rules
 * (--stop-on-ping-fail, --stop-on-break), which end the run as the original does.
 */
import { parseCidr } from '../../api/ipv4-cidr.js';
import type { Histogram } from '../../measure/histogram.js';
import { latencyHistogram } from '../../measure/histogram.js';
import { seededRandom } from '../../util/prng.js';
import { STATE_DELETE_SENT, TEST_FULL, TEST_SETUP, type AttachmentBook } from '../attachment-book.js';
import type { DriveOptions } from '../drive-options.js';
import type { DriverMetrics } from '../driver-metrics.js';
import type { OpExecutor } from '../ops-executor.js';
import { attachmentName, attachmentSubnet, attachmentVni, type DrivePlan } from '../plan/drive-plan.js';
import { AddressChecks, describeAddressProblem } from './address-checks.js';
import { testCommands } from './test-commands.js';
import { TestGate } from './test-gate.js';
import { buildTestSummary, type TestSummary } from './test-summary.js';

/** IPAM errors that say a subnet is out of addresses: the original does not stop on those. */
const EXHAUSTED = /run out of IPs|no IP address available/;

export function stopWorthyBreak(errors: readonly string[]): boolean {
  return errors.some((e) => !EXHAUSTED.test(e));
}

export interface DriveTestsOptions {
  options: DriveOptions;
  plan: DrivePlan;
  book: AttachmentBook;
  runId: string;
  seed: number;
  metrics: DriverMetrics;
  executor: OpExecutor;
  clock: { now(): number };
  /** Ends the run early, once, with the reason. */
  stop(reason: string): void;
  log(message: string): void;
}

export class DriveTests {
  private readonly gate: TestGate | undefined;
  private readonly checks = new AddressChecks();
  /** Addresses of attachments that passed their test: the peers of later full tests. */
  private readonly peerAddress = new Map<number, string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly noWaits: Histogram = latencyHistogram();

  constructor(private readonly o: DriveTestsOptions) {
    const { options, plan, book } = o;
    if (options.testFraction <= 0) return;
    const vnOf = (i: number): number => plan.slotNetwork[plan.seq.createSlot[book.ids[i] ?? 0] ?? 0] ?? 0;
    this.gate = new TestGate({
      vnOf,
      vnCount: plan.networks.length,
      testFraction: options.testFraction,
      pendingWaitMs: options.pendingWaitMs,
      draw: seededRandom((o.seed ^ 0x7e57f00d) >>> 0),
      peerOf: (i) => {
        const ipv4 = this.peerAddress.get(i);
        return ipv4 === undefined ? undefined : { ipv4, name: attachmentName(plan, book.ids[i] ?? 0) };
      },
      send: (i, phase, planned, t, kind, peer) => {
        if (kind === 'none') {
          o.executor.create(i, phase, planned, t);
          return;
        }
        book.test[i] = (book.test[i] ?? 0) | (kind === 'full' ? TEST_FULL : TEST_SETUP);
        const a = book.ids[i] ?? 0;
        const cidr = parseCidr(attachmentSubnet(plan, a)?.cidr ?? '');
        const exec = testCommands({
          dir: options.testCommandDir,
          runId: o.runId,
          attachment: a,
          prefixLength: cidr?.prefix ?? 32,
          peer,
          pingCount: options.pingCount,
        });
        o.executor.create(i, phase, planned, t, exec);
      },
      clock: o.clock,
      timers: {
        set: (fn, ms) => {
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            fn();
          }, ms);
          this.timers.add(timer);
          return timer;
        },
        clear: (handle) => {
          clearTimeout(handle as NodeJS.Timeout);
          this.timers.delete(handle as NodeJS.Timeout);
        },
      },
    });
  }

  /** Without tests a create goes straight to the executor. */
  create(i: number, phase: number, planned: number, t: number): void {
    if (this.gate === undefined) this.o.executor.create(i, phase, planned, t);
    else this.gate.create(i, phase, planned, t);
  }

  /**
   * Before attachment i's delete: a held create goes out first; it is no peer and holds no
   * address. Without tests only the address check's bookkeeping remains (a map delete).
   */
  beforeDelete(i: number): void {
    if (this.gate !== undefined) {
      this.gate.flush(i);
      this.gate.gone(i);
      this.peerAddress.delete(i);
    }
    this.checks.gone(this.o.book.ids[i] ?? 0);
  }

  /** The run ends early (^C): held creates go out, so the drain deletes them. */
  flushHeld(): void {
    this.gate?.flushAll();
  }

  /** Held creates that never went out (a stop) stay unsent; their timers end here. */
  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  address(i: number, ipv4: string): void {
    const { plan, book } = this.o;
    // Events that trail the delete would bring back an address IPAM may already have reused.
    if (book.has(i, STATE_DELETE_SENT)) return;
    const a = book.ids[i] ?? 0;
    const problems = this.checks.see(a, attachmentVni(plan, a), attachmentSubnet(plan, a)?.cidr ?? '', ipv4);
    for (const p of problems) {
      this.o.metrics.addressProblems.inc({ kind: p.kind });
      this.o.log(`address problem: ${describeAddressProblem(p)}`);
      if (this.o.options.stopOnBreak)
        this.o.stop(`address problem (--stop-on-break): ${describeAddressProblem(p)}`);
    }
  }

  tested(i: number, now: number, exitStatus: number): void {
    const { book, metrics, plan } = this.o;
    const full = ((book.test[i] ?? 0) & TEST_FULL) !== 0;
    const sent = book.sent[i] ?? now;
    const ready = book.ready[i] ?? Number.NaN;
    (full ? metrics.createToTested : metrics.createToHalfTested).observe((now - sent) / 1000);
    if (!Number.isNaN(ready))
      (full ? metrics.readyToTested : metrics.readyToHalfTested).observe((now - ready) / 1000);
    metrics.testCount.inc({ exit_status: String(exitStatus), full: String(full) });
    if (exitStatus === 0) {
      const ipv4 = this.checks.addressOf(book.ids[i] ?? 0);
      if (ipv4 !== undefined) this.peerAddress.set(i, ipv4);
      this.gate?.tested(i);
      return;
    }
    this.gate?.gone(i);
    const name = attachmentName(plan, book.ids[i] ?? 0);
    this.o.log(`test of ${name} failed: exit ${exitStatus}`);
    if (this.o.options.stopOnPingFail)
      this.o.stop(`test of ${name} failed with exit ${exitStatus} (--stop-on-ping-fail)`);
  }

  broken(i: number, errors: readonly string[]): void {
    this.gate?.gone(i);
    if (this.o.options.stopOnBreak && stopWorthyBreak(errors)) {
      const name = attachmentName(this.o.plan, this.o.book.ids[i] ?? 0);
      this.o.stop(`${name} broke (--stop-on-break): ${errors[0] ?? ''}`);
    }
  }

  summary(): TestSummary | undefined {
    const counts = this.checks.counts;
    if (this.gate === undefined && counts.duplicates + counts.outOfSubnet === 0) return undefined;
    return buildTestSummary({
      book: this.o.book,
      testFraction: this.o.options.testFraction,
      held: this.gate?.sent.held ?? 0,
      pendingWaits: this.gate?.waits ?? this.noWaits,
      addresses: counts,
    });
  }
}
