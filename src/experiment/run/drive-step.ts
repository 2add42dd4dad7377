/** The runner's drive step: one in-process runDrive per run, its options from the plan, with its faults level beside it. */
import { dirname } from 'node:path';
import { runDrive, type DriveDeps, type DrivePhase, type DriveSummary } from '../../driver/run-drive.js';
import { driveWithFaults } from '../faults/drive-with-faults.js';
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
    // Shards write <outDir>/<runId>/shard-<i>/; in-process, the run's directory is given as is.
    outDir: dirname(req.runDir),
    waitAfterDelete: d.graceWaitS * 1000,
    perAttachmentCsv: d.perAttachmentCsv,
    gzipCsv: true,
    testFraction: d.tests.testFraction,
    pingCount: d.tests.pingCount,
    pendingWaitMs: d.tests.pendingWaitS * 1000,
    stopOnPingFail: d.tests.stopOnPingFail,
    stopOnBreak: d.tests.stopOnBreak,
    // The port the runner registered with the target's Prometheus (driver-endpoints.ts).
    metricsHost: req.metrics[0]?.host ?? '127.0.0.1',
    metricsPort: req.metrics[0]?.port ?? 0,
  };
}

export function inProcessDriveStep(log: (m: string) => void): DriveStep {
  return (req) => {
    const fault = req.run.fault;
    const host = req.target.faults;
    if (fault === null) return driveOnce(req, log);
    if (host === undefined) throw new Error(`the ${req.target.kind} target takes no faults`);
    return driveWithFaults(
      fault,
      host,
      () => req.runDir,
      log,
      (onSchedule) => driveOnce(req, log, onSchedule),
    );
  };
}

function driveOnce(
  req: Parameters<DriveStep>[0],
  log: (m: string) => void,
  onSchedule?: DriveDeps['onSchedule'],
): Promise<DriveSummary> {
  return runDrive(driverOptionsFor(req), {
    ...driveDepsFor(req, log),
    ...(onSchedule === undefined ? {} : { onSchedule }),
  });
}

/**
 * What an in-process drive of this request is given: its target, directory, signals, phases and
 * the target's crashes (DriveStep's contract). A custom step starts from these and adds its own.
 */
export function driveDepsFor(req: Parameters<DriveStep>[0], log: (m: string) => void): DriveDeps {
  let phase: DrivePhase | undefined;
  return {
    kubeconfigPath: req.kubeconfigPath,
    runDir: req.runDir,
    signal: req.stop ?? req.signal,
    hardSignal: req.signal,
    // The run's own summary.json lists the target's crashes, as a lone drive's does (ADR 0039).
    crashes: () => Promise.resolve(req.target.crashes?.()),
    log: (m) => {
      log(`driver: ${m}`);
    },
    onProgress: (p) => {
      if (p.phase !== phase) req.onPhase?.(p.phase);
      phase = p.phase;
    },
  };
}
