/** The runner's drive step: one in-process runDrive per run, its options from the plan. */
import { dirname } from 'node:path';
import { runDrive } from '../driver/run-drive.js';
import type { DriveStep } from './sweep-runner.js';

export function driverOptionsFor(req: Parameters<DriveStep>[0]): Parameters<typeof runDrive>[0] {
  const d = req.run.driver;
  return {
    numNets: d.numNets,
    topNetSize: d.topNetSize,
    exponent: d.exponent,
    bias: d.bias,
    numAttachments: d.numAttachments,
    rate: d.rate,
    warmupRate: d.warmupRate,
    cooldownRate: d.cooldownRate,
    opsDistribution: d.distribution,
    runId: req.runId,
    // The driver writes <outDir>/<runId>/: that is the run's directory in the sweep.
    outDir: dirname(req.outDir),
    waitAfterDelete: d.graceWaitS * 1000,
    testFraction: d.tests.testFraction,
    pingCount: d.tests.pingCount,
    pendingWaitMs: d.tests.pendingWaitS * 1000,
    stopOnPingFail: d.tests.stopOnPingFail,
    stopOnBreak: d.tests.stopOnBreak,
    // Any free port: several runners (or tests) may share the machine.
    metricsPort: 0,
  };
}

export function inProcessDriveStep(log: (m: string) => void): DriveStep {
  return (req) =>
    runDrive(driverOptionsFor(req), {
      kubeconfigPath: req.kubeconfigPath,
      signal: req.signal,
      hardSignal: req.signal,
      log: (m) => {
        log(`driver: ${m}`);
      },
    });
}
