/**
 * `kos-test drive --fault` against a `kos-test testbed up` in another process: the fault goes
 * through the supervisor's control endpoint (POST /fault), which stops its own agent group by
 * PID and continues it itself; the drive prints the recovery, writes faults.json and exits 5
 * (the run is invalid: fault-injected). A bad --fault is one line and exit 1, before anything.
 * A process killed by hand during a drive without --fault makes the run invalid too, for a
 * reason of its own: unplanned-restart (ADR 0035), in its set-up as in its cruise (ADR 0039);
 * summary.json lists the crashes the run was judged by.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { VERDICT_EXIT_CODES } from '../../../src/cli/exit.js';
import { control } from '../../../src/cli/commands/testbed-lifecycle.js';
import { verdictFileSchema } from '../../../src/experiment/verdict/verdict.js';
import type { TestbedStatus } from '../../../src/testbed/supervisor/testbed.js';
import { faultRunSchema } from '../../../src/measure/fault-record.js';
import { driveSummarySchema } from '../../../src/driver/drive-summary.js';
import { spawnManaged, type ManagedChild } from '../../../src/process/child-registry.js';
import { processesMentioning, runKosTest, startKosTest } from '../../support/kos-test-process.js';

const cli = fileURLToPath(new URL('../../../../bin/kos-test.js', import.meta.url));

describe('kos-test drive --fault on a testbed up in another process', () => {
  let root: string;
  let tb: string;
  let up: ManagedChild | undefined;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kos-test-drive-fault-'));
    tb = join(root, 'tb');
    const log = join(root, 'up.log');
    up = spawnManaged({
      name: 'testbed up',
      command: process.execPath,
      args: [cli, 'testbed', 'up', '--dir', tb, '--nca', '10', '--agents-per-group', '10', '--no-prometheus'],
      logFile: log,
    });
    const deadline = Date.now() + 90_000;
    for (;;) {
      const text = await readFile(log, 'utf8').catch(() => '');
      if (text.includes('Press ^C')) break;
      if (Date.now() > deadline) assert.fail(`testbed up did not come up:\n${text}`);
      await sleep(200);
    }
  });
  /** numNets 4, topNetSize 10: 22 slots; 200 delete+create pairs: a 20 s cruise at 20 ops/s. */
  const driveArgs = (runId: string, out: string): string[] => [
    'drive',
    '--kubeconfig',
    join(tb, 'kubeconfig'),
    ...['--num-nets', '4', '--top-net-size', '10', '--num-attachments', '222', '--rate', '20'],
    ...['--wait-after-delete', '1s', '--metrics-port', '0', '--runid', runId, '--out', out],
  ];

  after(async () => {
    await runKosTest(['testbed', 'down', '--dir', tb], join(root, 'down.log'));
    await up?.exited;
    assert.deepEqual(await processesMentioning(root), [], 'no process left');
    await rm(root, { recursive: true, force: true });
  });

  it('refuses a bad --fault in one line, before contacting anything', async () => {
    const r = await runKosTest(
      ['drive', '--fault', 'kill:router@1s', '--testbed-dir', tb],
      join(root, 'bad.log'),
    );
    assert.equal(r.code, 1);
    const lines = r.text.trim().split('\n');
    assert.equal(lines.length, 1, r.text);
    assert.match(lines[0] ?? '', /bad --fault: kill:router@1s: target: .*ACTION:TARGET/);
  });

  it('stops the agent group through the supervisor, records the recovery and exits invalid', async () => {
    const out = join(root, 'out');
    const r = await runKosTest(
      [...driveArgs('fault-cli', out), '--fault', 'stop:agent-group@4s+2s', '--testbed-dir', tb],
      join(root, 'drive.log'),
    );
    assert.equal(r.code, VERDICT_EXIT_CODES.invalid, r.text.slice(-3000));
    assert.match(r.text, /fault stop:agent-group@4s\+2s: 1 injected, recovered in \d+\.\d\d s/);
    assert.match(r.text, /fault-injected/);
    const f = faultRunSchema.parse(JSON.parse(await readFile(join(out, 'fault-cli', 'faults.json'), 'utf8')));
    const e = f.events[0];
    assert.ok(e !== undefined && e.error === null, JSON.stringify(e));
    assert.equal(e.process, 'comp-group0');
    assert.ok((e.endedMs ?? 0) - (e.injectedMs ?? 0) >= 1990, 'continued after its 2 s');
    assert.ok(f.recoveryMeasurable, f.note);
    const summary = driveSummarySchema.parse(
      JSON.parse(await readFile(join(out, 'fault-cli', 'summary.json'), 'utf8')),
    );
    assert.deepEqual(summary.crashes, [], 'asked the testbed: a stopped group did not crash');
  });

  it('processes killed by hand in the set-up and the cruise, with no --fault, make the run invalid: unplanned-restart', async () => {
    const out = join(root, 'out');
    const processNamed = async (name: string): Promise<TestbedStatus['processes'][number] | undefined> =>
      (await control<TestbedStatus>(tb, 'GET', '/status')).processes.find((p) => p.name === name);
    const nctrl = (): Promise<TestbedStatus['processes'][number] | undefined> => processNamed('nctrl0');
    const victim = await nctrl();
    assert.ok(victim?.running === true, JSON.stringify(victim));
    // A start far enough ahead for the set-up on a loaded machine: 22 slots fill in 1.1 s at
    // 20 ops/s, then a 20 s cruise; the kill lands 6 s after the start, mid-cruise.
    const startAt = Date.now() + 20_000;
    const log = join(root, 'crash.log');
    const drive = startKosTest(
      [...driveArgs('crash-cli', out), '--start-at', String(startAt), '--testbed-dir', tb],
      log,
    );
    // Once the drive has probed its clock it is set up and waits for its start: kctrl0 dies in
    // the drive's set-up, which is the run's too.
    while (!(await readFile(log, 'utf8').catch(() => '')).includes('clock offset')) {
      assert.ok(drive.isRunning(), await readFile(log, 'utf8').catch(() => 'no log'));
      await sleep(100);
    }
    const early = await processNamed('kctrl0');
    assert.ok(early?.running === true, JSON.stringify(early));
    process.kill(early.pid, 'SIGKILL');
    await sleep(startAt + 6_000 - Date.now());
    process.kill(victim.pid, 'SIGKILL');
    const r = { code: (await drive.exited).code, text: await readFile(log, 'utf8') };
    assert.equal(r.code, VERDICT_EXIT_CODES.invalid, r.text.slice(-3000));
    const v = verdictFileSchema.parse(
      JSON.parse(await readFile(join(out, 'crash-cli', 'verdict.json'), 'utf8')),
    );
    const reasons = v.verdicts[0]?.validity.reasons ?? [];
    const codes = reasons.map((x) => x.code);
    assert.ok(codes.includes('unplanned-restart'), codes.join());
    assert.ok(!codes.includes('fault-injected'), codes.join());
    assert.match(
      reasons.find((x) => x.code === 'unplanned-restart')?.message ?? '',
      /2 testbed process crash\(es\) during the run with no fault injected: kctrl0 1x \(SIGKILL at set-up \+\d+\.\d s\); nctrl0 1x \(SIGKILL at cruise \+\d+\.\d s\)/,
    );
    // summary.json lists the crashes the run was judged by.
    const summary = driveSummarySchema.parse(
      JSON.parse(await readFile(join(out, 'crash-cli', 'summary.json'), 'utf8')),
    );
    assert.deepEqual(
      summary.crashes?.map((c) => [c.process, c.pid, c.exit]),
      [
        ['kctrl0', early.pid, 'SIGKILL'],
        ['nctrl0', victim.pid, 'SIGKILL'],
      ],
    );
    // testbed status counts the same restart the run was judged by.
    const after = await nctrl();
    assert.equal(after?.restarts, 1);
  });
});
