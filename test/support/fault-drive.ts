/**
 * A drive on a test's testbed with one `--fault` scenario beside it, injected through the same
 * fault host a sweep uses (test helper): about 200 delete+create pairs at 20 ops/s after the
 * population, every attachment's row kept, the run's objects cleaned up after.
 */
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { cleanupRuns } from '../../src/driver/cleanup.js';
import type { DriveSummary } from '../../src/driver/drive-summary.js';
import { parseDriveOptions, planFor, runDrive, type DriveOptionsInput } from '../../src/driver/run-drive.js';
import { driveWithFaults } from '../../src/experiment/faults/drive-with-faults.js';
import { parseFaultFlag } from '../../src/experiment/spec/fault-scenario.js';
import { RestClient } from '../../src/kube/rest-client.js';
import type { FaultInjector } from '../../src/testbed/supervisor/fault-actions.js';
import type { Testbed } from '../../src/testbed/supervisor/testbed.js';
import { freshSeed } from './fresh-seed.js';

export async function driveWithFault(o: {
  dir: string;
  testbed: Testbed;
  injector: FaultInjector;
  runId: string;
  fault: string;
  t: TestContext;
}): Promise<DriveSummary> {
  const opts: DriveOptionsInput = {
    runId: o.runId,
    outDir: join(o.dir, 'out'),
    metricsPort: 0,
    numNets: 4,
    topNetSize: 10,
    numAttachments: 1,
    rate: 20,
    waitAfterDelete: 1000,
    perAttachmentCsv: true,
    seed: freshSeed(o.runId.length * 4242),
  };
  // 200 delete+create pairs after the population's creates.
  const population = planFor(parseDriveOptions(opts), opts.seed ?? 0).population;
  opts.numAttachments = population + 200;
  const s = await driveWithFaults(
    parseFaultFlag(o.fault),
    { inject: (req) => Promise.resolve(o.injector.inject(req)) },
    (summary) => join(o.dir, 'out', summary.runId),
    (m) => {
      o.t.diagnostic(m);
    },
    (onSchedule) => runDrive(opts, { kubeconfigPath: o.testbed.kubeconfigPath, onSchedule }),
  );
  const front = new RestClient({ server: o.testbed.frontUrls[0] ?? '' });
  await cleanupRuns(front, { runId: s.runId }).finally(() => front.close());
  return s;
}
