/**
 * Network faults on the real testbed, brought up with its relays (ADR 0034): a drive with the
 * napi's traffic delayed 300 ms each way for 3 s, and one with the etcd client port partitioned
 * for 3 s, 4 s into the cruise, through the same fault host a sweep uses. Each records the
 * fault and its recovery time; the outcomes add up, no address is duplicated, and every
 * attachment sent after recovery is fulfilled. After `down` no process, relay port or network
 * namespace of the testbed is left.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { DriveSummary } from '../../../../src/driver/drive-summary.js';
import { FAULTS_FILE } from '../../../../src/experiment/faults/drive-with-faults.js';
import { faultRunSchema, type FaultEvent } from '../../../../src/measure/fault-record.js';
import { pidAlive } from '../../../../src/process/pid-alive.js';
import { dataPlanePrefix } from '../../../../src/testbed/data-plane/names.js';
import { FaultInjector } from '../../../../src/testbed/supervisor/fault-actions.js';
import { Testbed } from '../../../../src/testbed/supervisor/testbed.js';
import { readAttachmentsCsv } from '../../../support/drive-csv.js';
import { driveWithFault } from '../../../support/fault-drive.js';

describe('network faults on the embedded testbed', () => {
  let dir: string;
  let testbed: Testbed;
  let injector: FaultInjector;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-netfault-'));
    testbed = await Testbed.up({
      dir: join(dir, 'tb'),
      config: {
        nca: 10,
        agentsPerGroup: 10,
        fabricDelay: '3ms',
        dataPlane: false,
        prometheus: false,
        netFaults: true,
      },
    });
    injector = new FaultInjector(
      () => testbed.status().processes,
      Date.now,
      (name) => testbed.netFaultGate(name),
    );
  });
  after(async () => {
    injector.releaseAll();
    const status = testbed.status();
    const relays = status.processes.flatMap((p) =>
      p.endpoints.relay === undefined ? [] : [p.endpoints.relay],
    );
    await testbed.down();
    const alive = status.processes.map((p) => p.pid).filter(pidAlive);
    const listening = await Promise.all(relays.map(accepts));
    const { stdout } = await promisify(execFile)('ip', ['netns', 'list']);
    const prefix = dataPlanePrefix(join(dir, 'tb'));
    await rm(dir, { recursive: true, force: true });
    assert.ok(relays.length >= 3, `relays: ${relays.join(' ')}`);
    assert.deepEqual(alive, [], 'processes left after down');
    assert.deepEqual(
      relays.filter((_, k) => listening[k]),
      [],
      'relay ports still listening after down',
    );
    assert.ok(!stdout.includes(prefix), `a network namespace of the testbed is left: ${stdout}`);
  });

  /** The run's one fault, checked to be injected as asked, with its recovery recorded. */
  const checkedFault = async (s: DriveSummary, t: TestContext, forMs: number): Promise<FaultEvent> => {
    const f = s.faults;
    assert.ok(f !== undefined, 'the summary holds the faults');
    assert.equal(f.events.length, 1);
    const e = f.events[0];
    assert.ok(e !== undefined);
    t.diagnostic(
      `${e.action} ${e.process}: baseline p99 ${f.baselineP99Ms?.toFixed(1)} ms of ${f.baselineCount}; lasted ${(e.endedMs ?? 0) - (e.injectedMs ?? 0)} ms; recovery ${e.recoveryMs} ms; affected ${e.affected.delayed} delayed, ${e.affected.neverFulfilled} never; cruise ${JSON.stringify(s.phases.cruise.outcomes)}`,
    );
    assert.equal(e.error, null);
    assert.ok((e.endedMs ?? 0) - (e.injectedMs ?? 0) >= forMs - 10, 'lasted its time');
    assert.ok(f.recoveryMeasurable, f.note);
    assert.ok(e.recoveryMs !== null && e.recoveredAtMs !== null, `did not recover: ${f.note}`);
    assert.ok(e.affected.delayed + e.affected.neverFulfilled > 0, 'the fault hurt no attachment');
    const written = faultRunSchema.parse(
      JSON.parse(await readFile(join(dir, 'out', s.runId, FAULTS_FILE), 'utf8')),
    );
    assert.deepEqual(written, f);
    return e;
  };

  /** Outcomes add up, no duplicate address, everything sent after recovery fulfilled. */
  const assertRodeItOut = async (s: DriveSummary, recoveredAtMs: number): Promise<void> => {
    for (const o of [s.total.outcomes, s.phases.cruise.outcomes])
      assert.equal(o.attempted, o.fulfilled + o.broken + o.neverFulfilled + o.createFailed);
    assert.equal(s.tests?.addressProblems.duplicates ?? 0, 0, 'duplicate addresses');
    const rows = await readAttachmentsCsv(join(dir, 'out', s.runId, 'attachments.csv'));
    const late = rows.filter((row) => row.sentMs > recoveredAtMs);
    assert.ok(late.length > 20, `only ${late.length} attachments sent after recovery`);
    assert.deepEqual(
      late.filter((row) => row.outcome !== 'fulfilled').map((row) => `${row.name}: ${row.outcome}`),
      [],
      'sent after recovery and not fulfilled',
    );
  };

  it('delays the napi’s traffic, records the delay and its recovery, and the drive rides it out', async (t) => {
    const s = await driveWithFault({
      dir,
      testbed,
      injector,
      runId: 'net-delay',
      fault: 'delay(300ms):napi@4s+3s',
      t,
    });
    const e = await checkedFault(s, t, 3000);
    assert.equal(e.action, 'delay');
    assert.equal(e.delayMs, 300);
    assert.equal(e.process, 'napi0');
    await assertRodeItOut(s, e.recoveredAtMs ?? 0);
  });

  it('partitions the etcd client port, records it and its recovery, and the drive rides it out', async (t) => {
    const s = await driveWithFault({
      dir,
      testbed,
      injector,
      runId: 'net-part',
      fault: 'partition:netcd@4s+3s',
      t,
    });
    const e = await checkedFault(s, t, 3000);
    assert.equal(e.action, 'partition');
    assert.equal(e.process, 'netcd0');
    await assertRodeItOut(s, e.recoveredAtMs ?? 0);
  });
});

/** Whether something still accepts connections at `url`. */
function accepts(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = connect({ host: u.hostname, port: Number(u.port) });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      resolve(false);
    });
  });
}
