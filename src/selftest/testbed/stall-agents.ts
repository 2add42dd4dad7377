/**
 * Stalls the testbed's agent groups during a steady create-only drive (I/O): SIGSTOP by their PIDs
 * at a known wall time, SIGCONT a known time later (always, even when the drive fails), and the
 * driver's per-attachment times from its attachments.csv.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanupRuns, RUN_GONE_MS } from '../../driver/cleanup.js';
import { OUTPUT_FILES } from '../../driver/outputs.js';
import { runDrive } from '../../driver/run-drive.js';
import { RestClient } from '../../kube/rest-client.js';
import type { Testbed } from '../../testbed/supervisor/testbed.js';
import type { StallMeasurement } from '../checks/stalled-agent.js';
import { attachmentTimes } from './attachments-csv.js';

export interface StallOptions {
  outDir: string;
  /** @default 3000 */
  stallMs?: number;
  /** @default 1000 */
  thresholdMs?: number;
  log?: (message: string) => void;
}

export async function stallAgents(testbed: Testbed, opts: StallOptions): Promise<StallMeasurement> {
  const pids = testbed
    .status()
    .processes.filter((p) => p.purpose === 'comp' && p.running)
    .map((p) => p.pid);
  if (pids.length === 0) throw new Error('the testbed runs no agent group');
  const stallMs = opts.stallMs ?? 3000;
  // The stall starts 3 s into the creates, as the driver's progress reports them (its set-up
  // takes however long this machine makes it take).
  let underWay: () => void = () => undefined;
  const threeSecondsIn = new Promise<void>((resolve) => (underWay = resolve));
  const runId = `selftest-stall-${(Date.now() % 1e8).toString(36)}`;
  const drive = runDrive(
    {
      runId,
      numNets: 50,
      topNetSize: 20,
      numAttachments: 200,
      rate: 20,
      // Time for the creates held by the stall to be fulfilled before the driver stops watching.
      waitAfterCreate: 5000,
      subnetSizeFactor: 4,
      perAttachmentCsv: true,
      outDir: opts.outDir,
      metricsPort: 0,
      graceMs: 30_000,
      seed: 34,
    },
    {
      kubeconfigPath: testbed.kubeconfigPath,
      progressIntervalMs: 100,
      onProgress: (p) => {
        if (p.opsDone >= 60) underWay();
      },
      ...(opts.log === undefined ? {} : { log: opts.log }),
    },
  );
  void drive.then(underWay, underWay);
  let stoppedMs = Number.NaN;
  let continuedMs = Number.NaN;
  const stopped: number[] = [];
  try {
    await threeSecondsIn;
    for (const pid of pids) {
      process.kill(pid, 'SIGSTOP');
      stopped.push(pid);
    }
    stoppedMs = Date.now();
    await sleep(stallMs);
  } finally {
    for (const pid of stopped) process.kill(pid, 'SIGCONT');
    if (stopped.length > 0) continuedMs = Date.now();
  }
  const summary = await drive;
  const front = new RestClient({ server: testbed.frontUrls[0] ?? '' });
  try {
    await cleanupRuns(front, { runId: summary.runId }, { untilGoneMs: RUN_GONE_MS });
  } finally {
    await front.close();
  }
  const csv = await readFile(join(opts.outDir, summary.runId, OUTPUT_FILES.attachments), 'utf8');
  return { stoppedMs, continuedMs, thresholdMs: opts.thresholdMs ?? 1000, creates: attachmentTimes(csv) };
}
