/**
 * `kos-test selftest` on the testbed: brings up a fresh testbed whose napis run with a known
 * clock skew, runs the known-answer checks through real drives, and takes it down. What each
 * check drives through is passed in here, so a test can break one quantity at a time.
 */
import { join } from 'node:path';
import type { DriveClock } from '../driver/run-drive.js';
import { Testbed } from '../testbed/supervisor/testbed.js';
import type { SelftestReport } from './check-result.js';
import { achievedRateCheck } from './checks/achieved-rate.js';
import { clockSkewCheck } from './checks/clock-skew.js';
import { costAttributionCheck } from './checks/cost-attribution.js';
import { burnCpu, sendBytes } from './testbed/cost-probes.js';
import { delayShiftCheck } from './checks/delay-shift.js';
import { runChecks, type SelftestCheck } from './selftest-check.js';
import { driveDelayLevels } from './testbed/delay-levels.js';
import { driveCreateOnly, driveForClock, type SelftestDriveContext } from './testbed/selftest-drives.js';

/** The napis' clock runs this far ahead of the machine's during the selftest, ms. */
export const SELFTEST_NAPI_SKEW_MS = 250;

export type TestbedCheckName = 'clock-skew' | 'achieved-rate' | 'cost-attribution' | 'delay-shift';
/** In this order: the costs on a quiet testbed first, before the drives' namespaces are being deleted. */
export const TESTBED_CHECKS: readonly TestbedCheckName[] = [
  'cost-attribution',
  'clock-skew',
  'achieved-rate',
  'delay-shift',
];

export interface TestbedSelftestOptions {
  /** State directory of the testbed it brings up, and the drives' outputs under it. */
  dir: string;
  /** @default every check */
  only?: readonly TestbedCheckName[];
  /** The driver's clock in every drive (a test passes a wrong one). @default the real clocks */
  driverClock?: DriveClock;
  /** The driver paces this multiple of the rate it is asked for (a test breaks it). @default 1 */
  driverRateFactor?: number;
  /** The cost exporter's node labels (a test mislabels one). @default each node's own */
  exporterNodeLabel?: (node: string) => string;
  log?: (message: string) => void;
  onResult?: Parameters<typeof runChecks>[1]['onResult'];
}

export async function runTestbedSelftest(opts: TestbedSelftestOptions): Promise<SelftestReport> {
  const log = opts.log ?? (() => undefined);
  const testbed = await Testbed.up({
    dir: join(opts.dir, 'testbed'),
    config: { nca: 20, nna: 1, nka: 1, fabricDelay: '3ms', napiClockOffsetMs: SELFTEST_NAPI_SKEW_MS },
    log,
    ...(opts.exporterNodeLabel === undefined ? {} : { exporterNodeLabel: opts.exporterNodeLabel }),
  });
  try {
    const ctx: SelftestDriveContext = {
      kubeconfigPath: testbed.kubeconfigPath,
      frontUrl: testbed.frontUrls[0] ?? '',
      outDir: join(opts.dir, 'drives'),
      log,
      ...(opts.driverClock === undefined ? {} : { clock: opts.driverClock }),
      ...(opts.driverRateFactor === undefined ? {} : { rateFactor: opts.driverRateFactor }),
    };
    const all: Record<TestbedCheckName, () => SelftestCheck> = {
      'clock-skew': () => clockSkewCheck({ skewMs: SELFTEST_NAPI_SKEW_MS, drive: () => driveForClock(ctx) }),
      'achieved-rate': () => achievedRateCheck({ drive: (schedule) => driveCreateOnly(ctx, schedule) }),
      'cost-attribution': () =>
        costAttributionCheck({ burn: () => burnCpu(testbed), transfer: () => sendBytes(testbed) }),
      'delay-shift': () =>
        delayShiftCheck({
          drive: () => driveDelayLevels(testbed, { outDir: join(opts.dir, 'delay-shift'), log }),
        }),
    };
    const checks = (opts.only ?? TESTBED_CHECKS).map((name) => all[name]());
    return await runChecks(checks, {
      target: 'testbed',
      ...(opts.onResult === undefined ? {} : { onResult: opts.onResult }),
    });
  } finally {
    await testbed.down();
  }
}
