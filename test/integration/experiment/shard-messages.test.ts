/**
 * Driver shards report to the runner over the IPC channel (shard-messages.ts), not through their
 * log text: a late start and the summary on the testbed, and a shard's own error when it fails.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { driveSummarySchema } from '../../../src/driver/drive-summary.js';
import { mergeSummaries } from '../../../src/driver/shards/merge-summaries.js';
import { planExperiment, type PlannedRun } from '../../../src/experiment/plan/plan.js';
import { driveShards } from '../../../src/experiment/run/shard-drive-step.js';
import type { DriveRequest } from '../../../src/experiment/run/sweep-runner.js';
import { parseSpecText } from '../../../src/experiment/spec/spec-load.js';
import { driverMetricsEndpoints } from '../../../src/experiment/target/driver-endpoints.js';
import type { ExperimentTarget } from '../../../src/experiment/target/target.js';
import { KosTestError } from '../../../src/util/errors.js';
import { Testbed } from '../../../src/testbed/supervisor/testbed.js';

const SPEC = `
X: 10
factors: {OPS: [10], NCA: [10], POP: [1X], NNA: [1]}
warmup: 2s
cruise: 2s
cooldown: 2s
driver: {shards: 2, numNets: 3, graceWait: 1s}
`;

function theRun(): PlannedRun {
  const run = planExperiment(parseSpecText('s', SPEC)).runs[0];
  assert.ok(run !== undefined);
  return run;
}

/** The run's request; of the target, the merge asks only its crashes (the testbed's, when there is one). */
async function request(
  runDir: string,
  kubeconfigPath: string,
  crashes: ExperimentTarget['crashes'] = () => [],
): Promise<DriveRequest> {
  const run = theRun();
  const target: Pick<ExperimentTarget, 'crashes'> = { crashes };
  return {
    run,
    runId: 'msg-000',
    runDir,
    kubeconfigPath,
    target: target as ExperimentTarget,
    metrics: await driverMetricsEndpoints('127.0.0.1', run.driver.shards),
    signal: new AbortController().signal,
  };
}

describe('driver shards tell the runner in messages', () => {
  let dir = '';
  let testbed: Testbed | undefined;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-shard-msg-'));
  });
  after(async () => {
    await testbed?.down();
    await rm(dir, { recursive: true, force: true });
  });

  it("a failed shard's own error, not its log's last line", async () => {
    const req = await request(join(dir, 'failed', 'msg-000'), join(dir, 'no-such-kubeconfig'));
    await assert.rejects(
      driveShards(req, () => undefined),
      (e: unknown) => {
        assert.ok(e instanceof KosTestError, String(e));
        assert.match(e.message, /driver shard \d\/2 failed/);
        // The message is the driver's error itself; the log's line would begin `kos-test: `.
        assert.match(e.message, /exit code 1: no kubeconfig at/);
        return true;
      },
    );
  });

  it('a late start and the summary, which becomes the run`s one summary.json unchanged but for its crashes', async () => {
    testbed = await Testbed.up({ dir: join(dir, 'tb'), config: { nca: 10, agentsPerGroup: 10 } });
    const runDir = join(dir, 'late', 'msg-000');
    const tb = testbed;
    const req = await request(runDir, tb.kubeconfigPath, () => tb.crashes());
    const lines: string[] = [];
    // The shared start 3 s before the shards are even spawned: both are set up after it.
    const summary = await driveShards(req, (m) => lines.push(m), { startMarginMs: -3000 });
    const late = lines.filter((l) => / was set up \d+ ms after the shared start/.test(l));
    assert.equal(late.length, 2, lines.join('\n'));
    const onDisk = driveSummarySchema.parse(JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')));
    assert.deepEqual(onDisk, summary);
    const shards = await Promise.all(
      [0, 1].map(async (i) =>
        driveSummarySchema.parse(
          JSON.parse(await readFile(join(runDir, `shard-${i}`, 'summary.json'), 'utf8')),
        ),
      ),
    );
    // The merge, with the testbed's crashes over the run (none).
    assert.deepEqual(summary.crashes, []);
    assert.deepEqual({ ...mergeSummaries(shards), crashes: [] }, summary);
    assert.equal(summary.total.ops.issued, 2 * req.run.driver.numAttachments);
  });
});
