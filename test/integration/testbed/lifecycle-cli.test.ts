import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestbedStatus } from '../../../src/testbed/supervisor/testbed.js';
import { readTestbedState } from '../../../src/testbed/supervisor/testbed-state.js';
import { pidAlive } from '../../../src/process/pid-alive.js';

const cli = fileURLToPath(new URL('../../../../bin/kos-test.js', import.meta.url));
const run = promisify(execFile);

interface Up {
  child: ChildProcess;
  /** When it said it was up: every node's first cost sample is in by then. */
  upAtMs: number;
  output: () => string;
  exited: Promise<number | null>;
}

async function startUp(dir: string, ...args: string[]): Promise<Up> {
  const child = spawn(process.execPath, [cli, 'testbed', 'up', '--dir', dir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', done));
  const deadline = Date.now() + 90_000;
  while (!out.includes('Press ^C')) {
    if (child.exitCode !== null || Date.now() > deadline) assert.fail(`testbed up did not come up:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, upAtMs: Date.now(), output: () => out, exited };
}

async function kosTest(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { timeout: 90_000 });
    return { code: 0, stdout, stderr };
  } catch (e: unknown) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

async function refusesConnections(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return false;
  } catch (e: unknown) {
    const cause = e instanceof Error ? e.cause : undefined;
    return cause instanceof Error && (cause as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  }
}

/** Every process and listening endpoint the status names is gone. */
async function assertNothingLeft(status: TestbedStatus): Promise<void> {
  for (const p of status.processes) {
    assert.equal(pidAlive(p.pid), false, `${p.name} (pid ${p.pid}) still runs`);
    for (const url of Object.values(status.processes.find((q) => q.pid === p.pid)?.endpoints ?? {})) {
      assert.ok(await refusesConnections(url), `${p.name}: ${url} still answers`);
    }
  }
}

describe('kos-test testbed up / status / scale / down', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-testbed-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('comes up, reports, scales, refuses a second up, and goes down leaving nothing', async () => {
    const tb = join(dir, 'a');
    const up = await startUp(tb, '--nca', '3', '--agents-per-group', '2');
    try {
      const again = await kosTest('testbed', 'up', '--dir', tb, '--nca', '1');
      assert.equal(again.code, 1);
      assert.match(
        again.stderr,
        /^kos-test: preflight: 1 problem, nothing started\n {2}a testbed is up in .* \(supervisor pid \d+\): kos-test testbed down --dir /,
      );

      const shown = await kosTest('testbed', 'status', '--dir', tb);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /testbed: NCA 3, NNA 1, NKA 1/);
      assert.match(
        shown.stdout,
        /^prometheus \(data0\): http:\/\/127\.20\.0\.1:\d+ \(pid \d+, scrape every 1 s/m,
      );
      // `costs` finds the testbed's Prometheus and kubeconfig by itself. The window starts when
      // the testbed was up (before, some nodes had no samples yet: a partial table, exit 3) and
      // has ended, scrapes at 1 s included, when it is asked for.
      const costsTo = up.upAtMs + 4000;
      await sleep(Math.max(0, costsTo + 1500 - Date.now()));
      const costs = await kosTest('costs', '--dir', tb, '--from', String(up.upAtMs), '--to', String(costsTo));
      assert.equal(costs.code, 0, costs.stderr);
      assert.match(costs.stdout, /^napi0\s+napi\s+\d+\.\d{3}\s/m);
      const first = JSON.parse(
        (await kosTest('testbed', 'status', '--dir', tb, '--json')).stdout,
      ) as TestbedStatus;
      assert.deepEqual(
        first.processes.map((p) => `${p.name}:${p.purpose}:${p.nodes}:${String(p.running)}`).sort(),
        [
          'comp-group0:comp:2:true',
          'comp-group1:comp:1:true',
          'kapi0:kapi:1:true',
          'kctrl0:kctrl:1:true',
          'ketcd0:ketcd:1:true',
          'napi0:napi:1:true',
          'nctrl0:nctrl:1:true',
          'netcd0:netcd:1:true',
        ],
      );

      const bad = await kosTest('testbed', 'scale', '--dir', tb, '--nna', '0');
      assert.equal(bad.code, 1);
      assert.equal(bad.stderr.trim(), 'kos-test: bad --nna: 0 (give a whole number from 1 to 9)');

      // The control endpoint refuses what a running testbed cannot apply, and changes nothing.
      const state = await readTestbedState(tb);
      const refused = await fetch(`${state?.controlUrl ?? ''}/scale`, {
        method: 'POST',
        body: JSON.stringify({ netcd: 3 }),
      });
      assert.equal(refused.status, 422);
      assert.match(
        ((await refused.json()) as { error: string }).error,
        /netcd and ketcd are fixed at testbed up/,
      );
      assert.match((await kosTest('testbed', 'status', '--dir', tb)).stdout, /netcd 1, ketcd 1/);

      const scaled = await kosTest('testbed', 'scale', '--dir', tb, '--nca', '5', '--nna', '2');
      assert.equal(scaled.code, 0, scaled.stderr);
      const second = JSON.parse(
        (await kosTest('testbed', 'status', '--dir', tb, '--json')).stdout,
      ) as TestbedStatus;
      assert.deepEqual(second.config.nca, 5);
      assert.deepEqual(
        second.processes.filter((p) => p.purpose === 'comp').map((p) => p.nodes),
        [2, 2, 1],
      );
      assert.equal(second.processes.filter((p) => p.purpose === 'napi').length, 2);
      // The group whose agents did not change kept running; the one that grew was restarted.
      const pidOf = (s: TestbedStatus, name: string) => s.processes.find((p) => p.name === name)?.pid;
      assert.equal(pidOf(second, 'napi0'), pidOf(first, 'napi0'));
      // Prometheus keeps running and follows the new targets through file_sd.
      assert.equal(second.prometheus?.pid, first.prometheus?.pid);
      const napiTargets = async (): Promise<string[]> => {
        const res = await fetch(`${second.prometheus?.url ?? ''}/api/v1/targets`);
        const body = (await res.json()) as { data: { activeTargets: { labels: Record<string, string> }[] } };
        return body.data.activeTargets.filter((t) => t.labels.job === 'napi').map((t) => t.labels.node ?? '');
      };
      const deadline = Date.now() + 20_000;
      while ((await napiTargets()).length < 2 && Date.now() < deadline) await sleep(250);
      assert.deepEqual((await napiTargets()).sort(), ['napi0', 'napi1']);

      const down = await kosTest('testbed', 'down', '--dir', tb);
      assert.equal(down.code, 0, down.stderr);
      assert.equal(await up.exited, 0);
      await assertNothingLeft(first);
      await assertNothingLeft(second);
      const promPid = first.prometheus?.pid;
      assert.ok(promPid !== undefined && promPid > 0);
      assert.equal(pidAlive(promPid), false, 'prometheus still runs');
      const after = await kosTest('testbed', 'status', '--dir', tb);
      assert.equal(after.code, 1);
      assert.match(after.stderr, /no testbed is up/);
    } finally {
      up.child.kill('SIGKILL');
    }
  });

  it('^C on up takes everything down and exits 130', async () => {
    const tb = join(dir, 'b');
    const up = await startUp(tb, '--nca', '2', '--netcd', '3');
    const status = JSON.parse(
      (await kosTest('testbed', 'status', '--dir', tb, '--json')).stdout,
    ) as TestbedStatus;
    assert.equal(status.processes.filter((p) => p.purpose === 'netcd').length, 3);
    up.child.kill('SIGINT');
    assert.equal(await up.exited, 130);
    await assertNothingLeft(status);
    const promPid = status.prometheus?.pid;
    assert.ok(promPid !== undefined && promPid > 0);
    assert.equal(pidAlive(promPid), false, 'prometheus still runs after ^C');
    assert.ok(await refusesConnections(status.prometheus?.url ?? ''), 'prometheus still answers');
  });

  it('refuses bad options with one line naming the value and the fix', async () => {
    const r = await kosTest('testbed', 'up', '--dir', join(dir, 'c'), '--ketcd', '2');
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'kos-test: bad --ketcd: 2 (use 1 or 3)');
  });
});
