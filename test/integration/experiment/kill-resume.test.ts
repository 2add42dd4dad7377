import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { accountingProblems } from '../../../src/experiment/run/accounting.js';
import { VERDICT_EXIT_CODES } from '../../../src/cli/exit.js';
import { verdictExitCode } from '../../support/verdict-exit.js';
import { pidAlive } from '../../../src/process/pid-alive.js';
import {
  logLines as lines,
  startKosTest,
  sweepRecords as records,
  waitForRunnerEvent,
} from '../../support/kos-test-process.js';

const SPEC = `
name: crash
X: 10
factors: {OPS: [10], NCA: [10], POP: [1X], NNA: [1], NKA: [1]}
cruise: 8s
replicates: 3
driver: {numNets: 5, graceWait: 1s}
overheads: {perRun: 5s, reconfigure: 10s}
`;

describe('kill -9 of the experiment runner mid-sweep, then --resume', () => {
  let root: string | undefined;
  after(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it('records every run exactly once, keeps the completed runs as they were, and re-does the interrupted one', async () => {
    root = await mkdtemp(join(tmpdir(), 'kos-test-kill-'));
    const spec = join(root, 'crash.yaml');
    await writeFile(spec, SPEC);
    const out = join(root, 'sweep');
    const log1 = join(root, 'first.log');
    const first = startKosTest(['experiment', 'run', spec, '--out', out, '--json'], log1, 'runner');
    // Kill it while run 1 drives, after run 0 is recorded.
    await waitForRunnerEvent(first, log1, (e) => e.kind === 'step' && e.index === 1 && e.step === 'drive');
    await sleep(3000);
    first.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');
    const before = await records(out);
    assert.deepEqual(
      before.map((r) => r.record.key),
      ['c0-r0'],
    );
    const owned = JSON.parse(await readFile(join(out, 'testbed', 'owned-pids.json'), 'utf8')) as {
      owned: { pid: number }[];
    };
    const pids = owned.owned.map((o) => o.pid);
    assert.ok(pids.length > 0);
    // etcd and Prometheus die with a SIGKILLed runner (--pdeathsig): none is left for --resume.
    for (let waited = 0; pids.some(pidAlive) && waited < 5000; waited += 100) await sleep(100);
    for (const pid of pids) assert.equal(pidAlive(pid), false, `process ${pid} outlived the killed runner`);

    const log2 = join(root, 'resume.log');
    const second = startKosTest(
      ['experiment', 'run', spec, '--out', out, '--resume', '--json'],
      log2,
      'runner --resume',
    );
    const exit = await second.exited;
    // 0, or 5 when the shared host made a run invalid (its reasons are in the log); never 6.
    const recorded = (await records(out)).map((r) => r.record);
    assert.equal(exit.code, verdictExitCode(recorded), (await lines(log2)).slice(-10).join('\n'));
    assert.notEqual(exit.code, VERDICT_EXIT_CODES.failed);
    const resumeLog = (await lines(log2)).join('\n');
    assert.match(resumeLog, /"kind":"run-skip","index":0,"key":"c0-r0"/);
    assert.doesNotMatch(resumeLog, /left by an earlier runner/);

    const after = await records(out);
    const keys = after.map((r) => r.record.key);
    assert.deepEqual([...keys].sort(), ['c0-r0', 'c0-r1', 'c0-r2']);
    // The completed run is not redone: its line is byte for byte the one recorded before the kill.
    assert.equal(after[0]?.line, before[0]?.line);
    const interrupted = after.find((r) => r.record.key === 'c0-r1')?.record;

    assert.ok(interrupted !== undefined);
    assert.match(interrupted.runId, /-001-a1$/);
    assert.equal(interrupted.attempt, 1);
    for (const { record } of after) assert.deepEqual(accountingProblems(record), [], record.runId);
    const csv = (await readFile(join(out, 'results.csv'), 'utf8')).trimEnd().split('\n');
    assert.equal(csv.length, 4);
  });
});
