/**
 * `kos-test selftest` on the testbed: brings up a fresh testbed whose napis run with a known
 * clock skew, runs the known-answer checks through real drives, and takes it down. What each
 * check drives through is passed in here, so a test can break one quantity at a time.
 */
import { join } from 'node:path';
import type { DriveClock } from '../driver/run-drive.js';
import { Testbed, type TestbedOptions } from '../testbed/supervisor/testbed.js';
import type { SelftestReport } from './check-result.js';
import { achievedRateCheck } from './checks/achieved-rate.js';
import { clockSkewCheck } from './checks/clock-skew.js';
import { costAttributionCheck } from './checks/cost-attribution.js';
import { delayShiftCheck } from './checks/delay-shift.js';
import { stalledAgentCheck } from './checks/stalled-agent.js';
import { stallAgents } from './testbed/stall-agents.js';
import { runChecks, type RunChecksOptions, type SelftestCheck } from './selftest-check.js';
import { burnCpu, sendBytes } from './testbed/cost-probes.js';
import { driveDelayLevels } from './testbed/delay-levels.js';
import { driveCreateOnly, driveForClock, type SelftestDriveContext } from './testbed/selftest-drives.js';

/** The napis' clock runs this far ahead of the machine's during the selftest, ms. */
export const SELFTEST_NAPI_SKEW_MS = 250;

/** The testbed the selftest brings up: 20 agents in two groups (the delay shift's two levels), napi clock skewed. */
export const SELFTEST_TESTBED_CONFIG = {
  nca: 20,
  agentsPerGroup: 10,
  nna: 1,
  nka: 1,
  fabricDelay: '3ms',
  napiClockOffsetMs: SELFTEST_NAPI_SKEW_MS,
} as const;

export type TestbedCheckName =
  'clock-skew' | 'achieved-rate' | 'cost-attribution' | 'stalled-agent' | 'delay-shift';
/** In this order: the costs on a quiet testbed first, before the drives' namespaces are being deleted. */
export const TESTBED_CHECKS: readonly TestbedCheckName[] = [
  'cost-attribution',
  'clock-skew',
  'achieved-rate',
  'stalled-agent',
  'delay-shift',
];

export interface TestbedCheckOptions {
  /** Where the drives write their outputs. */
  outDir: string;
  /** @default every check */
  only?: readonly TestbedCheckName[];
  /** The driver's clock in every drive (a test passes a wrong one). @default the real clocks */
  driverClock?: DriveClock;
  /** The driver paces this multiple of the rate it is asked for (a test breaks it). @default 1 */
  driverRateFactor?: number;
  log?: (message: string) => void;
}

/** The checks, against a testbed brought up with SELFTEST_TESTBED_CONFIG. */
export function testbedChecks(testbed: Testbed, opts: TestbedCheckOptions): SelftestCheck[] {
  const log = opts.log ?? (() => undefined);
  const ctx: SelftestDriveContext = {
    kubeconfigPath: testbed.kubeconfigPath,
    frontUrl: testbed.frontUrls[0] ?? '',
    outDir: join(opts.outDir, 'drives'),
    log,
    ...(opts.driverClock === undefined ? {} : { clock: opts.driverClock }),
    ...(opts.driverRateFactor === undefined ? {} : { rateFactor: opts.driverRateFactor }),
  };
  const all: Record<TestbedCheckName, () => SelftestCheck> = {
    'cost-attribution': () =>
      costAttributionCheck({ burn: () => burnCpu(testbed), transfer: () => sendBytes(testbed) }),
    'clock-skew': () =>
      clockSkewCheck({ skewMs: testbed.shape.napiClockOffsetMs, drive: () => driveForClock(ctx) }),
    'achieved-rate': () => achievedRateCheck({ drive: (schedule) => driveCreateOnly(ctx, schedule) }),
    'stalled-agent': () =>
      stalledAgentCheck({ stall: () => stallAgents(testbed, { outDir: join(opts.outDir, 'stall'), log }) }),
    'delay-shift': () =>
      delayShiftCheck({
        // Two blocks: eight runs give the gap's spread enough degrees of freedom on a busy machine.
        drive: () => driveDelayLevels(testbed, { outDir: join(opts.outDir, 'delay-shift'), blocks: 2, log }),
      }),
  };
  return (opts.only ?? TESTBED_CHECKS).map((name) => all[name]());
}

export interface TestbedSelftestOptions extends Omit<TestbedCheckOptions, 'outDir'> {
  /** State directory of the testbed it brings up, and the drives' outputs under it. */
  dir: string;
  /** The cost exporter's node labels (a test mislabels one). @default each node's own */
  exporterNodeLabel?: TestbedOptions['exporterNodeLabel'];
  onResult?: RunChecksOptions['onResult'];
}

export async function runTestbedSelftest(opts: TestbedSelftestOptions): Promise<SelftestReport> {
  const testbed = await Testbed.up({
    dir: join(opts.dir, 'testbed'),
    config: SELFTEST_TESTBED_CONFIG,
    ...(opts.log === undefined ? {} : { log: opts.log }),
    ...(opts.exporterNodeLabel === undefined ? {} : { exporterNodeLabel: opts.exporterNodeLabel }),
  });
  try {
    return await runChecks(testbedChecks(testbed, { ...opts, outDir: opts.dir }), {
      target: 'testbed',
      ...(opts.onResult === undefined ? {} : { onResult: opts.onResult }),
    });
  } finally {
    await testbed.down();
  }
}
