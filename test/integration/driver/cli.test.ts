import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { RestClient } from '../../../src/kube/rest-client.js';
import { findFreePort } from '../../../src/net/free-port.js';
import { driveSummarySchema } from '../../../src/driver/drive-summary.js';
import { renderKubeconfig } from '../../../src/testbed/kubeconfig.js';
import { Testbed } from '../../../src/testbed/supervisor/testbed.js';
import { freshSeed } from '../../support/fresh-seed.js';
import { SUPERVISOR_PID_ENV } from '../../../src/process/exit-with-parent.js';
import { VERDICT_EXIT_CODES } from '../../../src/cli/exit.js';

const cli = fileURLToPath(new URL('../../../../bin/kos-test.js', import.meta.url));
const run = promisify(execFile);

async function kosTest(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (e: unknown) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('kos-test drive refuses bad input with one line and a non-zero exit, writing nothing', () => {
  let dir: string;
  let unreachable: string;
  let plainHttp: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-drive-cli-'));
    const port = await findFreePort('127.0.0.1');
    unreachable = join(dir, 'unreachable.kubeconfig');
    await writeFile(unreachable, renderKubeconfig([{ name: 'nowhere', server: `http://127.0.0.1:${port}` }]));
    // What a hand-written kubeconfig for a plain-HTTP server looks like (the testbed's sets skip-verify).
    plainHttp = join(dir, 'plain-http.kubeconfig');
    await writeFile(
      plainHttp,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: plain, cluster: {server: "http://127.0.0.1:${port}"}}]`,
        'users: [{name: u, user: {}}]',
        'contexts: [{name: c, context: {cluster: plain, user: u}}]',
        'current-context: c',
      ].join('\n'),
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const cases = [
    {
      name: 'a run id that is not a DNS label',
      args: ['--runid', 'Bad_Run'],
      line: /^kos-test: bad drive option runId: "Bad_Run"/,
    },
    {
      name: 'a rate that is not a number',
      args: ['--rate', 'fast'],
      line: /^kos-test: bad --rate: "fast" \(give a number\)$/,
    },
    { name: 'a negative rate', args: ['--rate', '-5'], line: /^kos-test: bad drive option rate: -5/ },
    { name: 'a bad shard', args: ['--shard', '2/2'], line: /^kos-test: bad --shard: "2\/2"/ },
    {
      name: 'a bad duration',
      args: ['--wait-after-delete', '15'],
      line: /^kos-test: bad --wait-after-delete: "15"/,
    },
    {
      name: 'a missing kubeconfig',
      args: ['--kubeconfig', '/nonexistent/kubeconfig'],
      line: /^kos-test: no kubeconfig at: \/nonexistent\/kubeconfig/,
    },
    {
      name: 'a plain http:// server without insecure-skip-tls-verify',
      args: ['--kubeconfig', 'PLAIN_HTTP'],
      line: /^kos-test: the kubeconfig's cluster plain is plain HTTP: http:\/\/127\.0\.0\.1:\d+ \(set insecure-skip-tls-verify: true/,
    },
    {
      name: 'an unreachable apiserver',
      args: ['--kubeconfig', 'UNREACHABLE'],
      line: /^kos-test: cannot reach the apiserver of the kubeconfig: http:\/\/127\.0\.0\.1:\d+/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const out = join(dir, 'out');
      const args = c.args.map((a) =>
        a === 'UNREACHABLE' ? unreachable : a === 'PLAIN_HTTP' ? plainHttp : a,
      );
      const r = await kosTest('drive', '--out', out, '--metrics-port', '0', ...args);
      assert.equal(r.code, 1, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0] ?? '', c.line);
      assert.equal(existsSync(out), false, 'wrote outputs for bad input');
    });
  }
  it('cleanup without --runid or --all says so', async () => {
    const r = await kosTest('cleanup', '--kubeconfig', unreachable);
    assert.equal(r.code, 1);
    assert.match(r.stderr.trim(), /^kos-test: kos-test cleanup needs exactly one of --runid ID and --all$/);
  });
});

describe('kos-test drive and cleanup on the testbed', () => {
  let dir: string;
  let testbed: Testbed;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-drive-cli-tb-'));
    testbed = await Testbed.up({ dir: join(dir, 'tb'), config: { nca: 20 } });
  });
  after(async () => {
    await testbed.down();
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts a drive; resolves after `afterMs` past its clock-offset line, sends the signals. */
  async function driveAndSignal(runId: string, signals: number, seed: number) {
    const child = spawn(
      process.execPath,
      [
        cli,
        'drive',
        '--kubeconfig',
        testbed.kubeconfigPath,
        '--runid',
        runId,
        '--out',
        join(dir, 'out'),
        '--metrics-port',
        '0',
        '--num-nets',
        '2',
        '--top-net-size',
        '10',
        '--num-attachments',
        '400',
        '--rate',
        '20',
        '--wait-after-delete',
        '500ms',
        // What ^C does to the control-plane schedule; the data plane has its own tests.
        '--test-fraction',
        '0',
        '--seed',
        String(seed),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    let out = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    const deadline = Date.now() + 60_000;
    while (!err.includes('clock offset')) {
      assert.ok(child.exitCode === null && Date.now() < deadline, `drive did not start:\n${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // 15 slots at 20/s: warm-up takes 0.75 s; 3 s in, the run is cruising.
    await new Promise((r) => setTimeout(r, 3000));
    const sentAt = Date.now();
    for (let i = 0; i < signals; i++) {
      child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 20));
    }
    const code = await exited;
    return { code, err, out: () => out, tookMs: Date.now() - sentAt, pid: child.pid ?? 0 };
  }

  it('first ^C ends the cruise early: live attachments are deleted, outputs written, every attachment accounted for, no process left', async () => {
    const r = await driveAndSignal('soft-stop', 1, freshSeed(11));
    // An interrupted run is invalid (its cruise ended early): exit 5, with the outputs written.
    assert.equal(r.code, VERDICT_EXIT_CODES.invalid, r.err);
    assert.match(r.err, /^kos-test: verdict: invalid: /m);
    assert.match(r.out(), /^ {2}soft-stop invalid: interrupted: /m);
    assert.throws(() => process.kill(r.pid, 0), 'the driver process is still there');
    const s = driveSummarySchema.parse(
      JSON.parse(await readFile(join(dir, 'out', 'soft-stop', 'summary.json'), 'utf8')),
    );
    assert.equal(s.ending, 'interrupted');
    assert.ok(s.phases.cruise.ops.dropped > 0, 'no cruise op was dropped');
    assert.ok(
      s.phases.cruise.window.endMs - s.phases.cruise.window.startMs < 5000,
      'the cruise window did not end at the ^C',
    );
    const o = s.total.outcomes;
    assert.equal(o.attempted, o.fulfilled + o.broken + o.neverFulfilled + o.createFailed);
    // Every attachment created was deleted again.
    assert.equal(s.deletes.succeeded, o.attempted - o.createFailed);
    assert.match(r.out(), /^run soft-stop interrupted: /m);
    for (const f of ['driver.metrics', 'vn-sizes.csv', 'vn-sizes-outline.csv'])
      assert.ok(existsSync(join(dir, 'out', 'soft-stop', f)), f);
  });

  it("with the original driver's defaults (a tenth of creates ping-tested) runs its tests on the testbed's shipped scripts, as root", async () => {
    const args = ['drive', '--kubeconfig', testbed.kubeconfigPath, '--runid', 'defaults', '--out'];
    const r = await kosTest(
      ...args,
      join(dir, 'out'),
      '--metrics-port',
      '0',
      '--num-nets',
      '2',
      '--top-net-size',
      '10',
      '--num-attachments',
      '30',
      '--rate',
      '10',
      '--seed',
      String(freshSeed(14)),
    );
    // Its namespace goes, so the cleanup case below sees only the ^C runs'.
    await kosTest('cleanup', '--kubeconfig', testbed.kubeconfigPath, '--runid', 'defaults');
    if (process.getuid?.() !== 0) {
      // Without root the testbed has no data plane, and the drive says what to give instead.
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /give --test-fraction 0, or bring the testbed up as root/);
      return;
    }
    const s = driveSummarySchema.parse(
      JSON.parse(await readFile(join(dir, 'out', 'defaults', 'summary.json'), 'utf8')),
    );
    assert.equal(s.stopped, undefined, `the run stopped: ${s.stopped?.reason ?? ''}`);
    assert.equal(s.ending, 'completed');
    const t = s.tests;
    assert.ok(t !== undefined, 'no test summary');
    // Each VN's first attachment gets a setup-only test (the original's half test).
    assert.ok(t.setupOnly.tested > 0, JSON.stringify(t.setupOnly));
    assert.equal(t.setupOnly.testFailed + t.full.testFailed, 0, JSON.stringify(t));
  });

  it('second ^C stops at once and still writes the summary', async () => {
    const r = await driveAndSignal('hard-stop', 2, freshSeed(12));
    assert.equal(r.code, VERDICT_EXIT_CODES.invalid, r.err);
    assert.ok(r.tookMs < 5000, `took ${r.tookMs} ms to stop`);
    const s = driveSummarySchema.parse(
      JSON.parse(await readFile(join(dir, 'out', 'hard-stop', 'summary.json'), 'utf8')),
    );
    assert.equal(s.ending, 'interrupted');
    assert.ok(s.total.ops.issued < s.total.ops.planned);
  });

  it('cleanup --runid deletes that run’s namespace; cleanup --all the rest', async () => {
    const client = new RestClient({ server: testbed.frontUrls[0] ?? '' });
    const names = async (): Promise<string[]> =>
      (
        await client.list<{ metadata: { name: string } }>(
          { group: '', version: 'v1', resource: 'namespaces' },
          { labelSelector: 'app=attachment-tput-driver' },
        )
      ).items
        .map((n) => n.metadata.name)
        .sort();
    try {
      assert.deepEqual(await names(), ['hard-stop', 'soft-stop']);
      const one = await kosTest('cleanup', '--runid', 'soft-stop', '--kubeconfig', testbed.kubeconfigPath);
      assert.equal(one.code, 0, one.stderr);
      assert.match(one.stdout, /deleted namespaces: soft-stop/);
      const waitFor = async (want: string[]): Promise<void> => {
        const deadline = Date.now() + 30_000;
        while (JSON.stringify(await names()) !== JSON.stringify(want)) {
          assert.ok(
            Date.now() < deadline,
            `namespaces ${JSON.stringify(await names())}, want ${JSON.stringify(want)}`,
          );
          await new Promise((r) => setTimeout(r, 200));
        }
      };
      await waitFor(['hard-stop']);
      const all = await kosTest('cleanup', '--all', '--kubeconfig', testbed.kubeconfigPath);
      assert.equal(all.code, 0, all.stderr);
      await waitFor([]);
    } finally {
      await client.close();
    }
  });

  it('a shard whose runner was SIGKILLed stops at once by itself and still writes its summary', async () => {
    const log = join(dir, 'orphan.log');
    // Stands in for the experiment runner: starts the drive naming itself as its parent, as
    // spawnManaged does for the runner's shards, then waits to be killed.
    const script = `
      const { spawn } = require('node:child_process');
      const { openSync } = require('node:fs');
      const out = openSync(${JSON.stringify(log)}, 'a');
      const child = spawn(process.execPath, JSON.parse(process.argv[1]), {
        stdio: ['ignore', out, out],
        env: { ...process.env, ${SUPERVISOR_PID_ENV}: String(process.pid) },
      });
      console.log(child.pid);
      setInterval(() => {}, 1000);`;
    const args = [
      cli,
      'drive',
      '--kubeconfig',
      testbed.kubeconfigPath,
      '--runid',
      'orphan',
      '--out',
      join(dir, 'out'),
      '--metrics-port',
      '0',
      '--num-nets',
      '2',
      '--top-net-size',
      '10',
      '--num-attachments',
      '400',
      '--rate',
      '20',
      '--test-fraction',
      '0',
      '--seed',
      String(freshSeed(13)),
    ];
    const runner = spawn(process.execPath, ['-e', script, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let pidText = '';
    runner.stdout.on('data', (b: Buffer) => (pidText += b.toString()));
    const deadline = Date.now() + 60_000;
    const text = (): Promise<string> => readFile(log, 'utf8').catch(() => '');
    while (!(await text()).includes('clock offset')) {
      assert.ok(Date.now() < deadline, `drive did not start:\n${await text()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 1000));
    const drive = Number(pidText.trim());
    assert.ok(drive > 0, `no pid from the stand-in runner: ${pidText}`);
    runner.kill('SIGKILL');
    const killedAt = Date.now();
    const alive = (): boolean => {
      try {
        process.kill(drive, 0);
        return true;
      } catch {
        return false;
      }
    };
    while (alive()) {
      assert.ok(Date.now() - killedAt < 15_000, 'the orphaned drive is still running');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(await text(), /the process that started this command is gone: stopping/);
    const s = driveSummarySchema.parse(
      JSON.parse(await readFile(join(dir, 'out', 'orphan', 'summary.json'), 'utf8')),
    );
    assert.equal(s.ending, 'interrupted');
    assert.ok(s.total.ops.issued < s.total.ops.planned);
  });
});
