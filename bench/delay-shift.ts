/**
 * The testbed's delay shift (issue 23): drives of 300 attachments at 20 ops/s, every VN of one
 * slot, on 20 agents in two groups, one at fabric delay 3 ms (A) and one at 26 ms (B), side by
 * side in each run; which group is at B alternates over `--rounds` blocks of four runs (default
 * 2), so a difference between the groups cancels; with Poisson arrivals, then steady ones.
 * The driver's fulfilment must move by what the agents recorded from taking the watch event to
 * their status PUT's answer (wait, fabric, PUT): target |measured - applied| <= 0.3 ms (mean), for each
 * schedule, on the fulfilment less the driver's sighting of the address (see delay-shift-math.ts);
 * the plain fulfilment from planned is shown beside it. The agent-side parts (wait before the
 * fabric, status PUT, the way from the create to the agent) show where a gap would come from.
 */
import { join } from 'node:path';
import { gapConfidenceMs } from '../src/selftest/checks/delay-shift.js';
import { delayShift, type DelayShift } from '../src/selftest/delay-shift-math.js';
import { driveDelayLevels, type DelayLevelRun } from '../src/selftest/testbed/delay-levels.js';
import { Testbed } from '../src/testbed/supervisor/testbed.js';
import type { BenchContext } from './benchmark.js';
import { check, type BenchReport, type Measure } from './report.js';

const TARGET_MS = 0.3;
const SCHEDULES = ['poisson', 'steady'] as const;
const DEFAULT_BLOCKS = 2;

export async function runDelayShift(ctx: BenchContext): Promise<BenchReport> {
  const testbed = await Testbed.up({
    dir: join(ctx.workDir, 'testbed'),
    config: { nca: 20, agentsPerGroup: 10, nna: 1, nka: 1, fabricDelay: '3ms', prometheus: false },
    log: ctx.log,
  });
  const blocks = ctx.options.rounds ?? DEFAULT_BLOCKS;
  const results: { schedule: string; runs: DelayLevelRun[]; shift: DelayShift }[] = [];
  try {
    for (const schedule of SCHEDULES) {
      const runs = await driveDelayLevels(testbed, {
        outDir: join(ctx.workDir, 'runs', schedule),
        schedule,
        blocks,
        log: ctx.log,
      });
      results.push({ schedule, runs, shift: delayShift(runs) });
    }
  } finally {
    await testbed.down();
  }
  const measures = results.flatMap(({ schedule, runs, shift }) => [
    ...runs.flatMap((r) =>
      runMeasures(`${schedule} run ${r.run + 1} ${r.level} (${r.group}, ${r.delayMs} ms)`, r),
    ),
    ...shiftMeasures(schedule, shift),
  ]);
  return {
    summary:
      '300 attachments at 20 ops/s, every VN one slot (local interfaces only), 20 hollow agents ' +
      'in two groups, one at fabric delay 3 ms (A) and one at 26 ms (B) in the same run; the ' +
      `group at B alternates over ${blocks} block(s) of four runs, each change followed by an ` +
      'unmeasured warm-up drive; Poisson then steady arrivals; shift = B - A.',
    measures,
    checks: results.map(({ schedule, shift }) =>
      check(
        `${schedule}: |measured - applied| shift (mean, from address seen)`,
        Math.abs(shift.measuredFromAddressedMs - shift.appliedMs),
        '<',
        TARGET_MS,
        'ms',
        3,
      ),
    ),
    details: {
      results: results.map(({ schedule, runs, shift }) => ({
        schedule,
        shift,
        runs,
      })),
    },
  };
}

function runMeasures(at: string, r: DelayLevelRun): Measure[] {
  const f = r.fulfilment;
  const ms = (label: string, value: number | null): Measure => ({
    label: `${at}: ${label}`,
    value: value ?? NaN,
    unit: 'ms',
    digits: 3,
  });
  return [
    ms("agents' fabric time (mean)", r.fabricMeanMs),
    ms("agents' wait before the fabric (mean)", r.fabricWaitMeanMs),
    ms('create write to local interface (mean)', r.localIfcMeanMs),
    ms("agents' status PUT (mean)", r.statusPutMeanMs),
    ms('create to status, server stamps (mean)', r.agentSpanMeanMs),
    ms('fulfilment from planned (mean)', f.meanMs),
    ms('fulfilment from planned (p50)', f.p50Ms),
    ms('create to addressed (mean)', r.addressedMeanMs),
    ms('fulfilment from address seen (mean)', r.fromAddressedMeanMs),
    { label: `${at}: fulfilments`, value: f.count, unit: '', digits: 0 },
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
    ms("fabric shift (agents' fabric time, B - A)", s.fabricMs),
    ms("applied shift (agents' wait, fabric call and status PUT, B - A)", s.appliedMs),
    ms('measured shift (fulfilment from planned, mean)', s.measuredMeanMs),
    ms('measured shift (fulfilment from planned, p50)', s.measuredP50Ms),
    ms('measured shift (fulfilment from address seen, mean)', s.measuredFromAddressedMs),
    ms('measured (from address seen) - applied', s.measuredFromAddressedMs - s.appliedMs),
    ms('its 95% confidence half-width (spread of the runs)', gapConfidenceMs(s)),
    ...s.pairGapsMs.map((gap, i) => ms(`measured - applied, run ${i + 1}`, gap)),
    ms('measured (from planned) - applied', s.measuredMeanMs - s.appliedMs),
    ms("wait-before-fabric shift (agents', mean)", s.fabricWaitMs),
    ms('create-to-agent shift (control plane and watch, mean)', s.toAgentMs),
    ms("status PUT shift (agents', mean)", s.statusPutMs),
    ms('create-to-status shift (server stamps, mean)', s.agentSpanMs),
    ms('create-to-addressed shift (driver, mean)', s.addressedMs),
  ];
}
