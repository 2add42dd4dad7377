/**
 * net-fault-relay: what the network-fault relays (ADR 0034) cost when no fault is active. The
 * same short drive on the testbed without and then with relays; CPU per attachment of this
 * process (which hosts the testbed's relays and the driver) and of the testbed's processes.
 */
import { join } from 'node:path';
import { parseDriveOptions, planFor, runDrive, type DriveOptionsInput } from '../src/driver/run-drive.js';
import { Testbed } from '../src/testbed/supervisor/testbed.js';
import type { BenchContext } from './benchmark.js';
import { cpuWindow } from './proc-stats.js';
import type { BenchReport, Measure } from './report.js';

const PAIRS = 600;
const RATE = 40;

interface Leg {
  attachments: number;
  seconds: number;
  /** CPU ms per attachment: this process (driver, supervisor, relays), the testbed's processes. */
  benchMs: number;
  testbedMs: number;
}

async function leg(ctx: BenchContext, netFaults: boolean): Promise<Leg> {
  const testbed = await Testbed.up({
    dir: join(ctx.workDir, netFaults ? 'testbed-relays' : 'testbed-direct'),
    config: { nca: 20, agentsPerGroup: 10, dataPlane: false, prometheus: false, netFaults },
  });
  try {
    const opts: DriveOptionsInput = {
      runId: netFaults ? 'relays' : 'direct',
      outDir: join(ctx.workDir, 'out'),
      metricsPort: 0,
      numNets: 4,
      topNetSize: 15,
      numAttachments: 1,
      rate: RATE,
      waitAfterDelete: 1000,
      seed: netFaults ? 2 : 1,
    };
    opts.numAttachments = planFor(parseDriveOptions(opts), opts.seed ?? 0).population + PAIRS;
    const pids = Object.fromEntries(
      testbed
        .status()
        .processes.filter((p) => p.running)
        .map((p) => [p.name, p.pid]),
    );
    const w = cpuWindow(pids);
    const s = await runDrive(opts, { kubeconfigPath: testbed.kubeconfigPath });
    const { seconds, cpu } = w.end();
    const attachments = s.total.outcomes.attempted;
    const testbedS = Object.keys(pids).reduce((sum, name) => sum + (cpu[name] ?? 0), 0);
    ctx.log(
      `${opts.runId}: ${attachments} attachments in ${seconds.toFixed(1)} s; ${JSON.stringify(s.total.outcomes)}`,
    );
    return {
      attachments,
      seconds,
      benchMs: ((cpu.bench ?? 0) * 1000) / attachments,
      testbedMs: (testbedS * 1000) / attachments,
    };
  } finally {
    await testbed.down();
  }
}

export async function runNetFaultRelay(ctx: BenchContext): Promise<BenchReport> {
  const direct = await leg(ctx, false);
  const relays = await leg(ctx, true);
  const total = (l: Leg): number => l.benchMs + l.testbedMs;
  const measures: Measure[] = [
    { label: 'driver+supervisor CPU per attachment, direct', value: direct.benchMs, unit: 'ms', digits: 2 },
    { label: 'driver+supervisor+relays CPU per attachment', value: relays.benchMs, unit: 'ms', digits: 2 },
    { label: 'testbed processes CPU per attachment, direct', value: direct.testbedMs, unit: 'ms', digits: 2 },
    {
      label: 'testbed processes CPU per attachment, relayed',
      value: relays.testbedMs,
      unit: 'ms',
      digits: 2,
    },
    {
      label: 'relays add, of the total CPU per attachment',
      value: ((total(relays) - total(direct)) / total(direct)) * 100,
      unit: '%',
    },
  ];
  return {
    summary: `one drive of ${PAIRS} delete+create pairs at ${RATE} ops/s, NCA 20, without and with the relays; no fault injected`,
    measures,
    checks: [],
    details: { direct, relays },
  };
}
