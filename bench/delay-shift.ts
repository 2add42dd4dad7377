/**
 * The testbed's delay shift (issue 23): the same drive (300 attachments, 20 ops/s, every VN of
 * one slot) at fabric delay 3 ms (A) and 26 ms (B), in the order A B B A so a drift of the
 * machine cancels, on one testbed; once with Poisson arrivals (the target) and once with the
 * steady schedule (for comparison: its fixed period meets B's latency, see delay-levels.ts).
 * The driver's fulfilment from planned must move by what the agents say they spent in the
 * fabric: target |measured - applied| <= 0.3 ms (mean).
 */
import { join } from 'node:path';
import { delayShift, type DelayShift } from '../src/selftest/delay-shift-math.js';
import { driveDelayLevels, type DelayLevelRun } from '../src/selftest/testbed/delay-levels.js';
import { Testbed } from '../src/testbed/supervisor/testbed.js';
import type { BenchContext } from './benchmark.js';
import { check, type BenchReport, type Measure } from './report.js';

const TARGET_MS = 0.3;
const SCHEDULES = ['poisson', 'steady'] as const;

export async function runDelayShift(ctx: BenchContext): Promise<BenchReport> {
  const testbed = await Testbed.up({
    dir: join(ctx.workDir, 'testbed'),
    config: { nca: 20, nna: 1, nka: 1, fabricDelay: '3ms', prometheus: false },
    log: ctx.log,
  });
  const results: { schedule: string; runs: DelayLevelRun[]; shift: DelayShift }[] = [];
  try {
    for (const schedule of SCHEDULES) {
      const runs = await driveDelayLevels(testbed, {
        outDir: join(ctx.workDir, 'runs', schedule),
        schedule,
        log: ctx.log,
      });
      results.push({ schedule, runs, shift: delayShift(runs) });
    }
  } finally {
    await testbed.down();
  }
  const measures = results.flatMap(({ schedule, runs, shift }) => [
    ...runs.flatMap((r, i) => runMeasures(`${schedule} run ${i + 1} (${r.level}, ${r.delayMs} ms)`, r)),
    ...shiftMeasures(schedule, shift),
  ]);
  const primary = results[0]?.shift;
  return {
    summary:
      '300 attachments at 20 ops/s, every VN one slot (local interfaces only), 20 hollow agents, ' +
      'fabric delay 3 ms (A) vs 26 ms (B) in the order A B B A, Poisson then steady arrivals; shift = B - A.',
    measures,
    checks: [
      check(
        'poisson: |measured - applied| shift (mean)',
        primary === undefined ? NaN : Math.abs(primary.measuredMeanMs - primary.appliedMs),
        '<',
        TARGET_MS,
        'ms',
        3,
      ),
    ],
    details: {
      results: results.map(({ schedule, runs, shift }) => ({
        schedule,
        shift,
        runs: runs.map(({ summary, ...r }) => ({ ...r, runId: summary.runId })),
      })),
    },
  };
}

function runMeasures(at: string, r: DelayLevelRun): Measure[] {
  const f = r.summary.total.latency;
  const ms = (label: string, value: number | null): Measure => ({
    label: `${at}: ${label}`,
    value: value ?? NaN,
    unit: 'ms',
    digits: 3,
  });
  return [
    ms("agents' fabric time (mean)", r.fabricMeanMs),
    ms("agents' status PUT (mean)", r.statusPutMeanMs),
    ms('address to status, server stamps (mean)', r.agentSpanMeanMs),
    ms('fulfilment from planned (mean)', f.fulfilmentFromPlanned.meanMs),
    ms('fulfilment from planned (p50)', f.fulfilmentFromPlanned.p50Ms),
    ms('create to addressed (mean)', f.createToAddressed.meanMs),
    { label: `${at}: fulfilments`, value: f.fulfilmentFromPlanned.count, unit: '', digits: 0 },
  ];
}

function shiftMeasures(schedule: string, s: DelayShift): Measure[] {
  const ms = (label: string, value: number): Measure => ({
    label: `${schedule}: ${label}`,
    value,
    unit: 'ms',
    digits: 3,
  });
  return [
    ms('nominal shift (drawn delays, B - A)', s.nominalMs),
    ms("applied shift (agents' fabric time, B - A)", s.appliedMs),
    ms('measured shift (fulfilment, mean)', s.measuredMeanMs),
    ms('measured shift (fulfilment, p50)', s.measuredP50Ms),
    ms("status PUT shift (agents', mean)", s.statusPutMs),
    ms('address-to-status shift (server stamps, mean)', s.agentSpanMs),
  ];
}
