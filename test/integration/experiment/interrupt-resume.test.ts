/**
 * ^C in the middle of a sweep on the real testbed: the run in progress is recorded `interrupted`
 * with what it measured, the runner exits 130 with nothing left running, and
 * `--resume --retry-failed` re-does it as a new attempt while the old record stays.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { driveSummarySchema } from '../../../src/driver/drive-summary.js';
import type { RunRecord } from '../../../src/experiment/store/run-record.js';
import { verdictExitCode } from '../../support/verdict-exit.js';
import {
  logLines as lines,
  processesMentioning,
  startKosTest,
  sweepRecords,
  waitForRunnerEvent,
} from '../../support/kos-test-process.js';

const SPEC = `
name: cut
X: 10
factors: {OPS: [10], NCA: [10], POP: [1X], NNA: [1], NKA: [1]}
cruise: 20s
replicates: 2
driver: {numNets: 5, graceWait: 1s}
overheads: {perRun: 5s, reconfigure: 10s}
`;

async function records(out: string): Promise<RunRecord[]> {
  return (await sweepRecords(out)).map((r) => r.record);
}

describe('^C during a sweep, then --resume --retry-failed', () => {
  let root: string | undefined;
  after(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it('records the cut run interrupted with what it measured, exits 130 leaving nothing running, and the resume re-does it', async () => {
    root = await mkdtemp(join(tmpdir(), 'kos-test-cut-'));
    const spec = join(root, 'cut.yaml');
    await writeFile(spec, SPEC);
    const out = join(root, 'sweep');
    const log1 = join(root, 'first.log');
    const first = startKosTest(['experiment', 'run', spec, '--out', out, '--json'], log1, 'runner');
    // ^C a few seconds into run 0's cruise.
    await waitForRunnerEvent(
      first,
      log1,
      (e) => e.kind === 'drive-phase' && e.index === 0 && e.phase === 'cruise',
    );
    await sleep(3000);
    // As a terminal's ^C: to the runner's whole process group (spawnManaged made it a leader).
    process.kill(-first.pid, 'SIGINT');
    const exit = await first.exited;
    const text = (await lines(log1)).join('\n');
    assert.equal(exit.code, 130, text.slice(-3000));
    assert.match(text, /kos-test: interrupted: \^C \(run the same command with --resume/);

    const cut = await records(out);
    assert.equal(cut.length, 1, 'only the run in progress is recorded; run 1 never started');
    const r = cut[0];
    assert.ok(r !== undefined);
    assert.equal(r.status, 'interrupted');
    assert.equal(r.drive?.ending, 'interrupted');
    assert.equal(r.validity?.status, 'invalid');
    assert.equal(r.validity.reasons[0]?.code, 'interrupted');
    // Every create it made ends in exactly one outcome, as in any run.
    const o = r.drive.total.outcomes;
    assert.equal(o.attempted, o.fulfilled + o.broken + o.neverFulfilled + o.createFailed);
    assert.ok(o.attempted > 0 && o.attempted < r.driver.numAttachments, `attempted ${o.attempted}`);
    // Its cruise ended at the ^C, well short of the planned 20 s.
    const w = r.drive.cruise.window;
    assert.ok(w.endMs - w.startMs < 15_000, `cruise window ${w.endMs - w.startMs} ms`);
    // What it measured is on disk: the driver's summary, written once, and the costs.
    const summary = driveSummarySchema.parse(
      JSON.parse(await readFile(join(out, r.dir, 'summary.json'), 'utf8')),
    );
    assert.equal(summary.runId, r.runId);
    assert.equal(summary.ending, 'interrupted');
    assert.ok(r.costs !== null, `no costs: ${r.costsError ?? ''}`);
    assert.ok(existsSync(join(out, r.dir, 'costs.json')));
    assert.ok(existsSync(join(out, 'report.html')), 'the report shows what was recorded');
    assert.deepEqual(await processesMentioning(root), [], 'processes left running after ^C');

    const log2 = join(root, 'resume.log');
    const second = startKosTest(
      ['experiment', 'run', spec, '--out', out, '--resume', '--retry-failed', '--json'],
      log2,
      'runner --resume --retry-failed',
    );
    const exit2 = await second.exited;
    const all = await records(out);
    const latest = [...new Map(all.map((x) => [x.key, x])).values()];
    assert.equal(exit2.code, verdictExitCode(latest), (await lines(log2)).slice(-10).join('\n'));
    assert.deepEqual(
      all.map((x) => `${x.key}:${x.attempt}:${x.status}`),
      ['c0-r0:0:interrupted', 'c0-r0:1:completed', 'c0-r1:0:completed'],
    );
    assert.match(all[1]?.runId ?? '', /-000-a1$/);
    const csv = (await readFile(join(out, 'results.csv'), 'utf8')).trimEnd().split('\n');
    assert.equal(csv.length, 3, 'results.csv: one row per run, its latest attempt');
    assert.deepEqual(await processesMentioning(root), [], 'processes left running after the resume');
  });
});
