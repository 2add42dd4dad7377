/**
 * A drive with a fault on the real testbed: its agent group stopped (SIGSTOP by PID) for 2 s,
 * 4 s into the cruise, through the same fault host a sweep uses. The fault is recorded with its
 * times, the recovery time is measured against the pre-fault p99, the attachments planned in the
 * stall are the affected ones, faults.json holds it all, and the run's validity says
 * "fault-injected"; a kill of nctrl, which the supervisor restarts; and a napi killed
 * again and again, whose failed deletes retry.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { driveSummarySchema, type DriveSummary } from '../../../../src/driver/drive-summary.js';
import { FAULTS_FILE } from '../../../../src/experiment/faults/drive-with-faults.js';
import { driveKeysOf } from '../../../../src/experiment/store/drive-keys.js';
import { judgeValidity } from '../../../../src/experiment/verdict/validity.js';
import { faultRunSchema } from '../../../../src/measure/fault-record.js';
import { FaultInjector } from '../../../../src/testbed/supervisor/fault-actions.js';
import { Testbed } from '../../../../src/testbed/supervisor/testbed.js';
import { driveWithFault } from '../../../support/fault-drive.js';

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

  /** A 20 s cruise at 20 ops/s with `fault` (time to recover on a loaded machine). */
  const driveWith = (runId: string, fault: string, t: TestContext): Promise<DriveSummary> =>
    driveWithFault({ dir, testbed, injector, runId, fault, t });

  it('records the stop of the agent group with its times, its recovery time and the attachments it delayed', async (t) => {
    const s = await driveWith('fault-stop', 'stop:agent-group@4s+2s', t);
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
    // Creates planned in the 2 s stall wait for the SIGCONT: those planned more than the baseline
    // p99 (plus slack for a loaded machine) before it are late past it, one per 100 ms planned.
    const visibleMs = Math.max(0, 2000 - (f.baselineP99Ms ?? 0) - 300);
    assert.ok(
      e.recoveryMs !== null && e.recoveryMs >= visibleMs && e.recoveryMs < 15_000,
      `recovery ${e.recoveryMs}`,
    );
    assert.equal(f.recoveryMs, e.recoveryMs);
    assert.ok(e.affected.delayed >= Math.floor(visibleMs / 100), `delayed ${e.affected.delayed}`);
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

  it('records a kill of nctrl, which the supervisor restarts, and the recovery after it', async (t) => {
    const s = await driveWith('fault-kill', 'kill:nctrl@4s', t);
    const f = s.faults;
    assert.ok(f !== undefined);
    const e = f.events[0];
    assert.ok(e !== undefined && f.events.length === 1);
    t.diagnostic(
      `baseline p99 ${f.baselineP99Ms?.toFixed(1)} ms; killed ${e.process} (pid ${e.pid}); recovery ${e.recoveryMs} ms; affected ${e.affected.delayed} delayed, ${e.affected.neverFulfilled} never`,
    );
    assert.equal(e.error, null);
    assert.match(e.process, /^nctrl/);
    assert.equal(e.endedMs, e.injectedMs, 'a kill ends when it is sent');
    assert.ok(f.recoveryMeasurable, f.note);
    assert.ok(f.recoveryMs !== null, f.note);
    const nctrl = testbed.status().processes.find((p) => p.name === e.process);
    assert.ok(nctrl !== undefined && nctrl.running && nctrl.pid !== e.pid, 'restarted as a new process');
    assert.ok(nctrl.restarts >= 1, `restarts ${nctrl.restarts}`);
    const o = s.phases.cruise.outcomes;
    assert.equal(o.attempted, o.fulfilled + o.broken + o.neverFulfilled + o.createFailed);
  });

  it('retries the deletes a crash-looping napi failed, many at once, without a listener-leak warning', async (t) => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      if (w.name === 'MaxListenersExceededWarning') warnings.push(w.message);
    };
    process.on('warning', onWarning);
    try {
      const s = await driveWith('fault-kill-napi', 'kill:napi@poisson(1s,6)', t);
      t.diagnostic(`deletes ${JSON.stringify(s.deletes)}`);
      // Deletes sent while it was down wait out their back-off together: more than ten at once
      // used to read as a leak on the run's stop signal.
      assert.ok(
        s.deletes.retries > 10,
        `only ${s.deletes.retries} delete retries: the case is not exercised`,
      );
      assert.equal(s.deletes.failed, 0);
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
