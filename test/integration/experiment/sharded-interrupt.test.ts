/**
 * One ^C in the middle of a sharded run's cruise on the real testbed (ADR 0027): both driver
 * shards stop gracefully (the cruise ends, what is live is deleted), the run is recorded
 * `interrupted` with what the two shards measured, merged; the runner exits 130, and no shard
 * process, attachment or other process of the test is left.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { driveSummarySchema, type DriveSummary } from '../../../src/driver/drive-summary.js';
import type { ManagedChild } from '../../../src/process/child-registry.js';
import { pidAlive } from '../../../src/process/pid-alive.js';
import { attachmentIndexOf } from '../../../src/driver/plan/drive-plan.js';
import { kubectl } from '../../support/kubectl.js';
import {
  logLines,
  runnerEvents,
  processesMentioning,
  startKosTest,
  sweepRecords,
  waitForRunnerEvent,
} from '../../support/kos-test-process.js';

const SPEC = `
name: cut-shards
X: 10
factors: {OPS: [10], NCA: [10], POP: [2X], NNA: [1], NKA: [1]}  # POP 20
cruise: 30s
driver: {shards: 2, numNets: 5, graceWait: 1s}
overheads: {perRun: 5s, reconfigure: 10s}
`;

/** Slots of the run: creates with a higher counter are the cruise's (names end in the counter). */
const POP = 20;

/**
 * Waits until the target holds a cruise create of the run (the shards' own progress, not the
 * runner's clock: on a loaded machine the shards may start their schedule late).
 */
async function cruiseUnderway(runner: ManagedChild, out: string, runId: string): Promise<void> {
  let seen = '';
  for (;;) {
    assert.ok(runner.isRunning(), `the runner ended before the cruise; the target held: ${seen}`);
    // The runner's testbed writes its kubeconfig into <out>/testbed/ (testbed.ts).
    const get = ['get', 'networkattachments', '-n', runId, '-o', 'jsonpath={.items[*].metadata.name}'];
    seen = await kubectl(join(out, 'testbed', 'kubeconfig'), ...get).catch((e: unknown) => String(e));
    if (seen.split(' ').some((n) => attachmentIndexOf(n) >= POP)) return;
    await sleep(500);
  }
}

async function summaryAt(path: string): Promise<DriveSummary> {
  return driveSummarySchema.parse(JSON.parse(await readFile(path, 'utf8')));
}

describe('^C during a sharded run', () => {
  let root: string | undefined;
  after(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it('stops both shards gracefully, records what they measured as interrupted, exits 130 and leaves nothing behind', async () => {
    root = await mkdtemp(join(tmpdir(), 'kos-test-cut-shards-'));
    const spec = join(root, 'cut-shards.yaml');
    await writeFile(spec, SPEC);
    const out = join(root, 'sweep');
    const log = join(root, 'run.log');
    const runner = startKosTest(['experiment', 'run', spec, '--out', out, '--json'], log, 'runner');
    await waitForRunnerEvent(
      runner,
      log,
      (e) => e.kind === 'drive-phase' && e.index === 0 && e.phase === 'cruise',
    );
    const start = (await runnerEvents(log)).find((e) => e.kind === 'run-start');
    assert.ok(start?.kind === 'run-start');
    await cruiseUnderway(runner, out, start.runId);
    const text0 = (await logLines(log)).join('\n');
    const pids = /driver: 2 shards \(pids (\d+), (\d+)\)/.exec(text0)?.slice(1).map(Number);
    assert.ok(pids !== undefined, 'the runner started two shard processes');
    // Early in the cruise (30 s planned), as a terminal's ^C: to the runner's group.
    process.kill(-runner.pid, 'SIGINT');
    const exit = await runner.exited;
    const text = (await logLines(log)).join('\n');
    assert.equal(exit.code, 130, text.slice(-3000));
    assert.match(text, /kos-test: interrupted: \^C \(run the same command with --resume/);

    const recorded = await sweepRecords(out);
    assert.equal(recorded.length, 1, text.slice(-3000));
    const r = recorded[0]?.record;
    assert.ok(r !== undefined);
    assert.equal(r.status, 'interrupted');
    assert.equal(r.driver.shards, 2);
    assert.equal(r.drive?.ending, 'interrupted');
    assert.equal(r.validity?.status, 'invalid');
    assert.equal(r.validity.reasons[0]?.code, 'interrupted');
    const o = r.drive.total.outcomes;
    assert.ok(o.attempted > 0 && o.attempted < r.driver.numAttachments, `attempted ${o.attempted}`);
    assert.equal(o.attempted, o.fulfilled + o.broken + o.neverFulfilled + o.createFailed);
    // The cruise ended at the ^C, well short of the planned 30 s.
    const w = r.drive.cruise.window;
    assert.ok(w.endMs - w.startMs < 25_000, `cruise window ${w.endMs - w.startMs} ms`);

    // Each shard stopped gracefully: interrupted, with what it made live deleted (no leftovers).
    const dir = join(out, r.dir);
    const merged = await summaryAt(join(dir, 'summary.json'));
    assert.equal(merged.ending, 'interrupted');
    assert.deepEqual(merged.shard, { indices: [0, 1], count: 2 });
    assert.equal(merged.leftovers, undefined);
    for (const i of [0, 1]) {
      const shard = await summaryAt(join(dir, `shard-${i}`, 'summary.json'));
      assert.equal(shard.ending, 'interrupted', `shard ${i}`);
      assert.equal(shard.leftovers, undefined, `shard ${i} left attachments`);
      assert.ok(shard.total.ops.deletes > 0, `shard ${i} deleted nothing`);
      assert.equal(shard.deletes.failed, 0, `shard ${i}`);
    }
    assert.equal(r.drive.total.ops.issued, merged.total.ops.issued);

    for (const pid of pids) assert.equal(pidAlive(pid), false, `shard process ${pid} outlived the runner`);
    assert.deepEqual(await processesMentioning(root), [], 'processes left running after ^C');
  });
});
