/**
 * The machine's own scheduling delay, as a same-run reference for the driver's lateness:
 * `node pacer-probe.js <rate> <seconds> <result>` runs the driver's pacer alone (no requests, one
 * histogram record per op) at the same rate, in its own process, while the driver runs. What it
 * sees late is what any process on this machine would; the driver's excess over it is its own.
 */
import { pace } from '../src/driver/pacer.js';
import { latencyHistogram, latencyStats, recordMs } from '../src/measure/histogram.js';
import type { LatencyStats } from '../src/measure/latency-stats.js';
import { writeFileAtomic } from '../src/util/atomic-write.js';

export type PacerProbeResult = LatencyStats;

async function main(): Promise<void> {
  const rate = Number(process.argv[2] ?? '1000');
  const seconds = Number(process.argv[3] ?? '4');
  const lateness = latencyHistogram();
  const clock = { now: () => performance.now() };
  const start = clock.now() + 50;
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
