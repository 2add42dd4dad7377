/**
 * The drives the testbed checks measure through (I/O): each one a real `runDrive` against the
 * testbed's kube front, cleaned up after. `clock` is the driver's (a test passes a wrong one).
 */
import { NA_SECTION } from '../../api/kos-types.js';
import { cleanupRuns, RUN_GONE_MS } from '../../driver/cleanup.js';
import type { DriveSummary } from '../../driver/drive-summary.js';
import {
  planFor,
  parseDriveOptions,
  runDrive,
  type DriveClock,
  type DriveOptionsInput,
} from '../../driver/run-drive.js';
import { RestClient } from '../../kube/rest-client.js';
import { ATTACHMENTS, type Attachment } from '../../testbed/comp/attachment.js';
import { sectionWriteMicros } from '../../testbed/comp/write-times.js';
import type { RateMeasurement, Schedule } from '../checks/achieved-rate.js';
import type { ClockSkewMeasurement } from '../checks/clock-skew.js';

export interface SelftestDriveContext {
  kubeconfigPath: string;
  /** The kube front the driver uses, for listing and cleanup. */
  frontUrl: string;
  outDir: string;
  clock?: DriveClock;
  /** The driver is handed this multiple of every rate the check plans for. @default 1 */
  rateFactor?: number;
  log?: (message: string) => void;
}

/** One seed per drive: a create-only run's namespace may still be going when the next starts, and the same seed would reuse its VNIs. */
const SEEDS = { steady: 31, poisson: 32, clock: 33 } as const;

async function drive(
  ctx: SelftestDriveContext,
  input: DriveOptionsInput,
  keep: (s: DriveSummary, front: RestClient) => Promise<void>,
): Promise<DriveSummary> {
  const front = new RestClient({ server: ctx.frontUrl });
  try {
    // A fresh run id each time: the namespace of the last drive may still be being deleted.
    const runId = `${input.runId ?? 'selftest'}-${(Date.now() % 1e8).toString(36)}`;
    const summary = await runDrive(
      { outDir: ctx.outDir, metricsPort: 0, graceMs: 30_000, ...input, runId },
      {
        kubeconfigPath: ctx.kubeconfigPath,
        ...(ctx.clock === undefined ? {} : { clock: ctx.clock }),
        ...(ctx.log === undefined ? {} : { log: ctx.log }),
      },
    );
    try {
      await keep(summary, front);
    } finally {
      // Gone before the next drive: checks run twice (once broken on purpose) with one seed, so
      // one set of VNIs, which a namespace still being deleted would hold against the next.
      await cleanupRuns(front, { runId: summary.runId }, { untilGoneMs: RUN_GONE_MS });
    }
    return summary;
  } finally {
    await front.close();
  }
}

/** Creates only (`numAttachments` at `rate`), then reads every create's server stamp. */
export async function driveCreateOnly(
  ctx: SelftestDriveContext,
  schedule: Schedule,
  opts: { rate?: number; creates?: number } = {},
): Promise<RateMeasurement> {
  const rate = opts.rate ?? 20;
  const input: DriveOptionsInput = {
    runId: `selftest-rate-${schedule}`,
    numNets: 50,
    topNetSize: 20,
    numAttachments: opts.creates ?? 400,
    rate,
    opsDistribution: schedule,
    waitAfterCreate: 0,
    // Slots are reused round the order: room for every create, so none ends broken.
    subnetSizeFactor: 4,
    seed: SEEDS[schedule],
  };
  // The expectation comes from the plan at the asked rate, whatever the driver is handed.
  const plan = planFor(parseDriveOptions({ outDir: ctx.outDir, ...input }), SEEDS[schedule]);
  const n = plan.due.length;
  const spanMs = (plan.due[n - 1] ?? 0) - (plan.due[0] ?? 0);
  let stamps: number[] = [];
  await drive(ctx, { ...input, rate: rate * (ctx.rateFactor ?? 1) }, async (summary, front) => {
    const list = await front.listAll<Attachment>({ ...ATTACHMENTS, namespace: summary.namespace });
    stamps = list.items.flatMap((a) => {
      const s = sectionWriteMicros(a, NA_SECTION.spec);
      return s === undefined ? [] : [s];
    });
  });
  return { plannedRate: ((n - 1) * 1000) / spanMs, serverStampsMicros: stamps };
}

/** A short full drive: what the driver measured of the apiserver's clock and its corrected latencies. */
export async function driveForClock(ctx: SelftestDriveContext): Promise<ClockSkewMeasurement> {
  const s = await drive(
    ctx,
    {
      runId: 'selftest-clock',
      numNets: 20,
      topNetSize: 5,
      numAttachments: 150,
      seed: SEEDS.clock,
      rate: 20,
      waitAfterDelete: 1000,
    },
    () => Promise.resolve(),
  );
  const l = s.total.latency;
  return {
    offsetMs: s.clock.offsetMs,
    uncertaintyMs: s.clock.uncertaintyMs,
    serverFulfilmentP50Ms: l.serverFulfilment.p50Ms,
    fulfilmentFromSentP50Ms: l.fulfilmentFromSent.p50Ms,
  };
}
