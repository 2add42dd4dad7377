/**
 * The driver's Prometheus metrics, in the original driver's names (kos-system.md), plus its own
 * schedule lateness and in-flight count. Each run has its own registry labelled with the run id
 * (and shard), so a library caller can run several drives in one process.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

// 1 ms .. ~65 s, doubling: fulfilment latencies span this range.
const BUCKETS = Array.from({ length: 17 }, (_, i) => 0.001 * 2 ** i);

export class DriverMetrics {
  readonly registry = new Registry();
  readonly createLatency: Histogram;
  readonly deleteLatency: Histogram;
  readonly createToAddressed: Histogram;
  readonly createToReady: Histogram;
  readonly createToBroken: Histogram;
  readonly successfulCreates: Counter;
  readonly failedCreates: Counter;
  readonly successfulDeletes: Counter;
  readonly failedDeletes: Counter;
  readonly lateOps: Counter;
  readonly lateness: Histogram;
  readonly inFlight: Gauge;
  readonly createToAddressedEasy: Histogram;
  readonly createToReadyEasy: Histogram;
  /** Full tests (ping a peer) and, as the original calls them, half (setup-only) tests. */
  readonly createToTested: Histogram;
  readonly readyToTested: Histogram;
  readonly createToHalfTested: Histogram;
  readonly readyToHalfTested: Histogram;
  readonly testCount: Counter<'exit_status' | 'full'>;
  readonly addressProblems: Counter<'kind'>;

  constructor(labels: { runid: string; shard: string }) {
    this.registry.setDefaultLabels(labels);
    const registers = [this.registry];
    const hist = (name: string, help: string): Histogram =>
      new Histogram({ name, help, buckets: BUCKETS, registers });
    const counter = (name: string, help: string): Counter => new Counter({ name, help, registers });
    this.createLatency = hist(
      'kos_driver_attachment_create_latency_seconds',
      'Create call: request sent to response.',
    );
    this.deleteLatency = hist(
      'kos_driver_attachment_delete_latency_seconds',
      'Delete call: request sent to response (last try).',
    );
    this.createToAddressed = hist(
      'kos_driver_attachment_create_to_addressed_latency_seconds',
      'Create sent to status.ipv4 seen.',
    );
    this.createToReady = hist(
      'kos_driver_attachment_create_to_ready_latency_seconds',
      'Create sent to status.ifcName seen.',
    );
    this.createToBroken = hist(
      'kos_driver_attachment_create_to_broken_latency_seconds',
      'Create sent to status.errors seen.',
    );
    this.successfulCreates = counter('kos_driver_successful_creates', 'Creates answered with success.');
    this.failedCreates = counter('kos_driver_failed_creates', 'Creates that failed (not retried).');
    this.successfulDeletes = counter(
      'kos_driver_successful_deletes',
      'Deletes that succeeded (possibly after retries).',
    );
    this.failedDeletes = counter('kos_driver_failed_deletes', 'Delete attempts that failed.');
    this.lateOps = counter(
      'kos_driver_late_ops',
      'Ops sent later than the lateness threshold after their planned time.',
    );
    this.lateness = hist('kos_driver_schedule_lateness_seconds', 'Sent minus planned time of each op.');
    this.createToAddressedEasy = hist(
      'kos_driver_attachment_create_to_addressed_easy_latency_seconds',
      'Create sent to status.ipv4 seen, attachments without address contention.',
    );
    this.createToReadyEasy = hist(
      'kos_driver_attachment_create_to_ready_easy_latency_seconds',
      'Create sent to status.ifcName seen, attachments without address contention.',
    );
    this.createToTested = hist(
      'kos_driver_attachment_create_to_tested_latency_seconds',
      'Create sent to the full test’s report seen.',
    );
    this.readyToTested = hist(
      'kos_driver_attachment_ready_to_tested_latency_seconds',
      'status.ifcName seen to the full test’s report seen.',
    );
    this.createToHalfTested = hist(
      'kos_driver_attachment_create_to_half_tested_latency_seconds',
      'Create sent to the setup-only test’s report seen.',
    );
    this.readyToHalfTested = hist(
      'kos_driver_attachment_ready_to_half_tested_latency_seconds',
      'status.ifcName seen to the setup-only test’s report seen.',
    );
    this.testCount = new Counter({
      name: 'kos_driver_test_count',
      help: 'Tests reported, by exit status and whether the test was full (pinged a peer).',
      labelNames: ['exit_status', 'full'],
      registers,
    });
    this.addressProblems = new Counter({
      name: 'kos_driver_address_problems',
      help: 'Live attachments of one VN sharing an address (duplicate) or with one outside their subnet.',
      labelNames: ['kind'],
      registers,
    });
    this.inFlight = new Gauge({
      name: 'kos_driver_ops_in_flight',
      help: 'Requests sent and not yet answered.',
      registers,
    });
  }
}
