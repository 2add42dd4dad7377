import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { DriveSummary } from '../../../src/driver/drive-summary.js';
import { runDrive } from '../../../src/driver/run-drive.js';
import { Testbed, type TestbedProcessStatus } from '../../../src/testbed/supervisor/testbed.js';
import { FaultInjector, type FaultTarget } from '../../../src/testbed/supervisor/fault-actions.js';
import { readAttachmentsCsv } from '../../support/drive-csv.js';
import { freshSeed } from '../../support/fresh-seed.js';
import { pidAlive } from '../../../src/process/pid-alive.js';

/** After the killed process runs again, watches and queues need a moment (back-off up to 5 s). */
const SETTLE_MS = 5000;

/**
 * Issue 21's faults, on one testbed (NNA 2, netcd of 3): a drive at a modest rate, a kill -9 of
 * each kind of testbed process (napi, nctrl, kctrl, kube front, agent group, etcd member)
 * three seconds into its cruise, and the run finished. Each kill must leave the outcomes adding
 * up, no duplicate address, every attachment created after recovery fulfilled, no IPLock behind,
 * and the process restarted once.
 */
describe('drives ride out a kill -9 of a testbed process', () => {
  let dir: string;
  let testbed: Testbed;
  let kc: KubeConfig;
  let seed = 700;
  const pids = new Set<number>();
  const processOf = (name: string): TestbedProcessStatus | undefined =>
    testbed.status().processes.find((p) => p.name === name);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-faults-'));
    testbed = await Testbed.up({
      dir: join(dir, 'tb'),
      config: { nca: 20, agentsPerGroup: 10, nna: 2, netcd: 3, dataPlane: false, prometheus: false },
    });
    kc = new KubeConfig();
    kc.loadFromFile(testbed.kubeconfigPath);
  });
  after(async () => {
    for (const p of testbed.status().processes) pids.add(p.pid);
    await testbed.down();
    // Nothing outlives `down`: neither the processes of the start nor the restarted ones.
    const alive = [...pids].filter(pidAlive);
    await rm(dir, { recursive: true, force: true });
    assert.deepEqual(alive, [], 'processes left after down');
  });

  const ipLocksIn = async (namespace: string): Promise<number> =>
    (
      (await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
        group: 'network.example.com',
        version: 'v1alpha1',
        namespace,
        plural: 'iplocks',
      })) as { items: unknown[] }
    ).items.length;

  // Killed as a fault run kills (one way to kill in tests): the fault injector, by the testbed's PID.
  const injector = new FaultInjector(() => testbed.status().processes);

  /** Drives `runId`, kills `victim` (the index-th of `target`) 3 s into the cruise, and returns what happened. */
  const driveAndKill = async (
    runId: string,
    [target, index, victim]: [FaultTarget, number, string],
  ): Promise<{ s: DriveSummary; restartedAfterMs: number; recoveredAt: number }> => {
    const before = processOf(victim);
    assert.ok(before?.running === true, `${victim} runs`);
    for (const p of testbed.status().processes) pids.add(p.pid);
    let killedAt = 0;
    let restartedAt = 0;
    let kill: NodeJS.Timeout | undefined;
    let killedPid = 0;
    const s = await runDrive(
      {
        runId,
        outDir: join(dir, 'out'),
        metricsPort: 0,
        perAttachmentCsv: true,
        seed: freshSeed(++seed * 1000),
        numNets: 4,
        topNetSize: 15,
        numAttachments: 200,
        rate: 20,
        testFraction: 0,
        waitAfterDelete: 1000,
      },
      {
        kubeconfigPath: testbed.kubeconfigPath,
        progressIntervalMs: 200,
        onProgress: (p) => {
          const now = processOf(victim);
          if (killedAt > 0 && restartedAt === 0 && now?.running === true && now.pid !== before.pid)
            restartedAt = Date.now();
          if (p.phase !== 'cruise' || kill !== undefined) return;
          kill = setTimeout(() => {
            killedAt = Date.now();
            killedPid = injector.inject({ action: 'kill', target, index }).pid;
          }, 3000);
        },
      },
    );
    assert.ok(killedAt > 0, 'the kill happened during the drive');
    assert.equal(killedPid, before.pid, `the injector killed ${victim}`);
    const now = processOf(victim);
    assert.ok(now?.running === true && now.pid !== before.pid, `${victim} restarted`);
    pids.add(now.pid);
    assert.equal(now.restarts, 1, `${victim} restarted once`);
    assert.ok(restartedAt > 0, `${victim} was seen running again during the drive`);
    return { s, restartedAfterMs: restartedAt - killedAt, recoveredAt: restartedAt + SETTLE_MS };
  };

  /** The accounting identity, no duplicates, everything sent after recovery fulfilled, no IPLock left. */
  const assertRodeItOut = async (
    runId: string,
    r: { s: DriveSummary; restartedAfterMs: number; recoveredAt: number },
    diag: (m: string) => void,
  ): Promise<void> => {
    const o = r.s.total.outcomes;
    diag(
      `${runId}: running again ${r.restartedAfterMs} ms after the kill; ${JSON.stringify(o)}; deletes ${JSON.stringify(r.s.deletes)}; ending ${r.s.ending}`,
    );
    assert.equal(o.attempted, o.fulfilled + o.broken + o.neverFulfilled + o.createFailed);
    assert.equal(r.s.tests?.addressProblems.duplicates ?? 0, 0, 'duplicate addresses');
    assert.equal(r.s.deletes.failed, 0, 'deletes that failed');
    assert.equal(r.s.ending, 'completed');
    const rows = await readAttachmentsCsv(join(dir, 'out', runId, 'attachments.csv'));
    const late = rows.filter((row) => row.sentMs > r.recoveredAt);
    assert.ok(late.length > 20, `only ${late.length} attachments created after recovery`);
    const unfulfilled = late.filter((row) => row.outcome !== 'fulfilled');
    assert.deepEqual(
      unfulfilled.map((row) => `${row.name}: ${row.outcome}`),
      [],
      'created after recovery and not fulfilled',
    );
    // IPAM released every lock of the deleted attachments, also those of before the fault.
    const deadline = Date.now() + 15_000;
    let locks = await ipLocksIn(runId);
    while (locks > 0 && Date.now() < deadline) {
      await sleep(250);
      locks = await ipLocksIn(runId);
    }
    assert.equal(locks, 0, 'IPLocks left');
  };

  it('kill -9 of one napi of two: under 1% never fulfilled', async (t) => {
    const r = await driveAndKill('kill-napi', ['napi', 1, 'napi1']);
    await assertRodeItOut('kill-napi', r, (m) => {
      t.diagnostic(m);
    });
    const o = r.s.total.outcomes;
    t.diagnostic(`never fulfilled: ${o.neverFulfilled} of ${o.attempted}; create failures ${o.createFailed}`);
    assert.ok(o.neverFulfilled < 0.01 * o.attempted, `${o.neverFulfilled} of ${o.attempted} never fulfilled`);
  });

  it('kill -9 of nctrl', async (t) => {
    await assertRodeItOut('kill-nctrl', await driveAndKill('kill-nctrl', ['nctrl', 0, 'nctrl0']), (m) => {
      t.diagnostic(m);
    });
  });

  it('kill -9 of kctrl', async (t) => {
    await assertRodeItOut('kill-kctrl', await driveAndKill('kill-kctrl', ['kctrl', 0, 'kctrl0']), (m) => {
      t.diagnostic(m);
    });
  });

  it('kill -9 of the kube front: the creates sent to it while down fail and are counted, the rest ride it out', async (t) => {
    const r = await driveAndKill('kill-front', ['kube-front', 0, 'kapi0']);
    await assertRodeItOut('kill-front', r, (m) => {
      t.diagnostic(m);
    });
  });

  it('kill -9 of an agent group', async (t) => {
    await assertRodeItOut(
      'kill-agents',
      await driveAndKill('kill-agents', ['agent-group', 0, 'comp-group0']),
      (m) => {
        t.diagnostic(m);
      },
    );
  });

  it('kill -9 of one etcd member of three: no create fails (the napis fail over, ADR 0036)', async (t) => {
    const r = await driveAndKill('kill-netcd', ['netcd', 1, 'netcd1']);
    await assertRodeItOut('kill-netcd', r, (m) => {
      t.diagnostic(m);
    });
    assert.equal(r.s.total.outcomes.createFailed, 0, 'creates that failed');
  });
});
