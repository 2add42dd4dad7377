/**
 * One driver run in its own process, for the driver benchmarks: `node driver-worker.js <spec>`.
 * Runs `runDrive` with the spec's options and writes the summary, with the CPU of the paced part
 * of the run (from the first op's timer, not the wait for a shared start before it, to the last
 * answer) taken from /proc, to the result file.
 * Its own process, so the benchmark's and the server's CPU are not charged to the driver.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { runDrive } from '../src/driver/run-drive.js';
import type { DriveSummary } from '../src/driver/drive-summary.js';
import { writeFileAtomic } from '../src/util/atomic-write.js';
import { toError } from '../src/util/errors.js';
import { pacingPriorityText, raisePacingPriority } from '../src/process/pacing-priority.js';
import { opensCpuWindow } from './cpu-window-start.js';
import { cpuWindow, type CpuWindow } from './proc-stats.js';

/** How often the worker is told the drive's progress: the CPU window's start is one tick exact. */
const PROGRESS_TICK_MS = 20;

export const workerSpecSchema = z.object({
  kubeconfigPath: z.string(),
  options: z.record(z.string(), z.unknown()),
  /** Other processes to account for separately (e.g. the server). */
  pids: z.record(z.string(), z.number().int()),
  /**
   * Where the CPU window ends: once every op is answered, or (create-only runs) once every
   * create is also seen fulfilled, so that observing is priced too.
   */
  windowUntil: z.enum(['answered', 'fulfilled']).default('answered'),
  resultPath: z.string(),
});
export type DriverWorkerSpec = z.infer<typeof workerSpecSchema>;

export interface DriverWorkerResult {
  ok: boolean;
  error?: string;
  summary?: DriveSummary;
  /** Over the paced part: seconds, and CPU seconds of `driver` (this process), the pids, others. */
  window?: { seconds: number; cpu: Record<string, number> };
  /** RSS at the end of pacing, bytes. */
  rssBytes?: number;
  /** Date.now() when setup had ended (the first progress after it): a shared start must be later. */
  setupEndedMs?: number;
}

async function main(): Promise<void> {
  // As `kos-test drive` does; the pacer-alone reference asks for the same (pacer-probe.ts).
  process.stderr.write(`${pacingPriorityText(raisePacingPriority())}\n`);
  const spec = workerSpecSchema.parse(JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')));
  let window: CpuWindow | undefined;
  let measured: DriverWorkerResult['window'];
  let rss = 0;
  const result: DriverWorkerResult = { ok: false };
  const startAtMs = z.number().optional().parse(spec.options.startAtMs);
  try {
    const summary = await runDrive(spec.options, {
      kubeconfigPath: spec.kubeconfigPath,
      progressIntervalMs: PROGRESS_TICK_MS,
      onProgress: (p) => {
        // 'warmup' is set just before the pacer's first timer, which waits for a shared start;
        // 'waiting' once every op is answered.
        if (p.phase !== 'setup') result.setupEndedMs ??= Date.now();
        if (window === undefined && opensCpuWindow(p.phase, Date.now(), startAtMs, PROGRESS_TICK_MS))
          window = cpuWindow(spec.pids);
        const over =
          p.phase === 'done' ||
          (p.phase === 'waiting' && (spec.windowUntil === 'answered' || p.fulfilled >= p.opsDone));
        if (over && window !== undefined && measured === undefined) {
          const end = window.end();
          const { bench: driver = 0, ...rest } = end.cpu;
          measured = { seconds: end.seconds, cpu: { driver, ...rest } };
          rss = process.memoryUsage().rss;
        }
      },
    });
    Object.assign(result, { ok: true, summary, window: measured, rssBytes: rss });
  } catch (e: unknown) {
    result.error = toError(e).message;
  }
  await writeFileAtomic(spec.resultPath, JSON.stringify(result));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`driver-worker: ${toError(e).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
