/**
 * The machine's own scheduling delay, as a same-run reference for the driver's lateness:
 * `node pacer-probe.js <rate> <seconds> <result> [<start-at epoch ms>]` runs the driver's pacer
 * alone (no requests, one histogram record per op) at the same rate, in its own process, from the
 * driver's own start time. What it sees late is what any process on this machine would at those
 * moments; the driver's excess over it is its own. Starting with the driver (not with the
 * process) keeps the probe's own start-up, and the driver's setup, out of the reference.
 */
import { pace } from '../src/driver/pacer.js';
import { pacingPriorityText, raisePacingPriority } from '../src/process/pacing-priority.js';
import { latencyHistogram, latencyStats, recordMs } from '../src/measure/histogram.js';
import type { LatencyStats } from '../src/measure/latency-stats.js';
import { writeFileAtomic } from '../src/util/atomic-write.js';

export type PacerProbeResult = LatencyStats;

async function main(): Promise<void> {
  // The driver's priority (driver-worker.ts): the reference is the machine's delay at the same one.
  process.stderr.write(`${pacingPriorityText(raisePacingPriority())}\n`);
  const rate = Number(process.argv[2] ?? '1000');
  const seconds = Number(process.argv[3] ?? '4');
  const lateness = latencyHistogram();
  const clock = { now: () => performance.now() };
  const startAt = process.argv[5] === undefined ? undefined : Number(process.argv[5]);
  const start = clock.now() + (startAt === undefined ? 50 : startAt - Date.now());
  await pace({
    count: Math.round(rate * seconds),
    dueAt: (i) => start + (i * 1000) / rate,
    fire: (i, t) => {
      recordMs(lateness, t - (start + (i * 1000) / rate));
    },
    clock,
  });
  await writeFileAtomic(process.argv[4] ?? 'pacer-probe.json', JSON.stringify(latencyStats(lateness)));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exit(1);
  },
);
