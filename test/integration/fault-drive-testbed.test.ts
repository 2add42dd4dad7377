/**
 * A drive with a fault on the real testbed: its agent group stopped (SIGSTOP by PID) for 2 s,
 * 4 s into the cruise, through the same fault host a sweep uses. The fault is recorded with its
 * times, the recovery time is measured against the pre-fault p99, the attachments planned in the
 * stall are the affected ones, faults.json holds it all, and the run's validity says
 * "fault-injected". (A kill needs the supervisor's restart of the process: see ADR 0030.)
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { driveSummarySchema } from '../../src/driver/drive-summary.js';
import { cleanupRuns } from '../../src/driver/cleanup.js';
import { parseDriveOptions, planFor, runDrive, type DriveOptionsInput } from '../../src/driver/run-drive.js';
import { driveWithFaults, FAULTS_FILE } from '../../src/experiment/faults/drive-with-faults.js';
import { driveKeysOf } from '../../src/experiment/store/drive-keys.js';
import { parseFaultFlag } from '../../src/experiment/spec/fault-scenario.js';
import { judgeValidity } from '../../src/experiment/verdict/validity.js';
import { RestClient } from '../../src/kube/rest-client.js';
import { faultRunSchema } from '../../src/measure/fault-record.js';
import { FaultInjector } from '../../src/testbed/supervisor/fault-actions.js';
import { Testbed } from '../../src/testbed/supervisor/testbed.js';
import { freshSeed } from '../support/fresh-seed.js';

describe('a drive with a fault on the embedded testbed', () => {
  let dir: string;
  let testbed: Testbed;
  let injector: FaultInjector;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-fault-'));
    testbed = await Testbed.up({
      dir: join(dir, 'tb'),
      config: { nca: 10, agentsPerGroup: 10, fabricDelay: '3ms', dataPlane: false, prometheus: false },
    });
    injector = new FaultInjector(() => testbed.status().processes);
  });
  after(async () => {
    injector.releaseAll();
    await testbed.down();
    await rm(dir, { recursive: true, force: true });
  });

  it('records the stop of the agent group with its times, its recovery time and the attachments it delayed', async (t) => {
    const opts: DriveOptionsInput = {
      runId: 'fault-stop',
      outDir: join(dir, 'out'),
      metricsPort: 0,
      numNets: 4,
      topNetSize: 10,
      numAttachments: 1,
      rate: 20,
      waitAfterDelete: 1000,
      perAttachmentCsv: true,
      seed: freshSeed(4242),
    };
    // A 20 s cruise (time to recover on a loaded machine): 200 delete+create pairs at 20 ops/s after the population's creates.
    const population = planFor(parseDriveOptions(opts), opts.seed ?? 0).population;
    opts.numAttachments = population + 200;
    const scenario = parseFaultFlag('stop:agent-group@4s+2s');
    const s = await driveWithFaults(
      scenario,
      { inject: (req) => Promise.resolve(injector.inject(req)) },
      (summary) => join(dir, 'out', summary.runId),
      (m) => {
        t.diagnostic(m);
      },
      (onSchedule) => runDrive(opts, { kubeconfigPath: testbed.kubeconfigPath, onSchedule }),
    );
    const front = new RestClient({ server: testbed.frontUrls[0] ?? '' });
    await cleanupRuns(front, { runId: s.runId }).finally(() => front.close());

    driveSummarySchema.parse(s);
    const f = s.faults;
    assert.ok(f !== undefined, 'the summary holds the faults');
    const e = f.events[0];
    assert.equal(f.events.length, 1);
    assert.ok(e !== undefined);
    t.diagnostic(
      `baseline p99 ${f.baselineP99Ms?.toFixed(1)} ms of ${f.baselineCount}; injected +${(((e.injectedMs ?? 0) - s.phases.cruise.window.startMs) / 1000).toFixed(3)} s, stopped ${(((e.endedMs ?? 0) - (e.injectedMs ?? 0)) / 1000).toFixed(3)} s; recovery ${e.recoveryMs} ms; affected ${e.affected.delayed} delayed, ${e.affected.neverFulfilled} never`,
    );
    assert.equal(e.error, null);
    assert.equal(e.process, 'comp-group0');
    assert.ok(e.pid > 0);
    const at = (e.injectedMs ?? 0) - s.phases.cruise.window.startMs;
    assert.ok(at >= 3990 && at < 5000, `injected ${at} ms into the cruise`);
    assert.ok((e.endedMs ?? 0) - (e.injectedMs ?? 0) >= 1990, 'stopped for its 2 s');
    assert.ok(f.recoveryMeasurable, f.note);
    // Creates planned in the stall wait for the SIGCONT: recovery can come no sooner than about
    // the stall's end less the baseline, and well before the cruise ends.
    assert.ok(
      e.recoveryMs !== null && e.recoveryMs >= 1000 && e.recoveryMs < 15_000,
      `recovery ${e.recoveryMs}`,
    );
    assert.equal(f.recoveryMs, e.recoveryMs);
    // ~10 creates a second were planned in the 2 s stall: each was delayed, none lost.
    assert.ok(e.affected.delayed >= 10, `delayed ${e.affected.delayed}`);
    assert.equal(e.affected.neverFulfilled, 0);
    assert.equal(s.phases.cruise.outcomes.fulfilled, s.phases.cruise.outcomes.attempted);

    const written = faultRunSchema.parse(
      JSON.parse(await readFile(join(dir, 'out', s.runId, FAULTS_FILE), 'utf8')),
    );
    assert.deepEqual(written, f);
    const v = judgeValidity({
      status: 'completed',
      error: null,
      target: 'drive',
      factors: null,
      drive: driveKeysOf(s),
    });
    assert.equal(v.status, 'invalid');
    const first = v.reasons[0];
    assert.equal(first?.code, 'fault-injected');
    assert.match(first.message, /stop comp-group0 .*valid for recovery measurement/);
    assert.ok(
      testbed.status().processes.every((p) => p.running),
      'the stopped group runs again',
    );
  });
});
