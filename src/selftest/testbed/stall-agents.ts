/**
 * Stalls the testbed's agent group during a steady create-only drive (I/O): SIGSTOP by its PID
 * at a known wall time, SIGCONT a known time later (always, even when the drive fails), and the
 * driver's per-attachment times from its attachments.csv.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanupRuns } from '../../driver/cleanup.js';
import { OUTPUT_FILES } from '../../driver/outputs.js';
import { runDrive } from '../../driver/run-drive.js';
import { RestClient } from '../../kube/rest-client.js';
import type { Testbed } from '../../testbed/supervisor/testbed.js';
import type { StallMeasurement } from '../checks/stalled-agent.js';

export interface StallOptions {
  outDir: string;
  /** @default 3000 */
  stallMs?: number;
  /** @default 1000 */
  thresholdMs?: number;
  log?: (message: string) => void;
}

/** `plannedMs` and `readyMs` of each row of attachments.csv (pure). */
export function createTimes(csv: string): { plannedMs: number; readyMs: number }[] {
  const [header = '', ...rows] = csv.trim().split('\n');
  const cols = header.split(',');
  const p = cols.indexOf('plannedMs');
  const r = cols.indexOf('readyMs');
  return rows.map((row) => {
    const f = row.split(',');
    const ready = f[r] ?? '';
    return { plannedMs: Number(f[p]), readyMs: ready === '' ? Number.NaN : Number(ready) };
  });
}

export async function stallAgents(testbed: Testbed, opts: StallOptions): Promise<StallMeasurement> {
  const groups = testbed.status().processes.filter((p) => p.purpose === 'comp' && p.running);
  if (groups.length !== 1) throw new Error(`expected one agent group, found ${groups.length}`);
  const pid = groups[0]?.pid ?? 0;
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
  try {
    await threeSecondsIn;
    process.kill(pid, 'SIGSTOP');
    stoppedMs = Date.now();
    await sleep(stallMs);
  } finally {
    if (!Number.isNaN(stoppedMs)) {
      process.kill(pid, 'SIGCONT');
      continuedMs = Date.now();
    }
  }
  const summary = await drive;
  const front = new RestClient({ server: testbed.frontUrls[0] ?? '' });
  try {
    await cleanupRuns(front, { runId: summary.runId });
  } finally {
    await front.close();
  }
  const csv = await readFile(join(opts.outDir, summary.runId, OUTPUT_FILES.attachments), 'utf8');
  return { stoppedMs, continuedMs, thresholdMs: opts.thresholdMs ?? 1000, creates: createTimes(csv) };
}
