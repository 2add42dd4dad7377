import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  runningChildren,
  spawnManaged,
  stopAllChildren,
  type ManagedChild,
} from '../../../src/process/child-registry.js';
import { KosTestError } from '../../../src/util/errors.js';
import { pidAlive } from '../../../src/process/pid-alive.js';

const fixture = fileURLToPath(new URL('../../fixtures/exit-handler-child.js', import.meta.url));

async function waitUntil(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Pids of grandchildren started by fixtures, killed in after() if a test failed midway. */
const strays: number[] = [];

after(async () => {
  await stopAllChildren({ graceMs: 100 });
  for (const pid of strays) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone, as expected.
    }
  }
});

describe('spawnManaged', () => {
  it('stop() ends a running child with SIGTERM and unregisters it', async () => {
    const child = spawnManaged({ name: 'sleeper', command: 'sleep', args: ['30'] });
    assert.ok(child.pid > 0);
    assert.equal(child.isRunning(), true);
    assert.ok(runningChildren().includes(child));
    await child.stop();
    assert.equal(child.isRunning(), false);
    assert.deepEqual(await child.exited, { code: null, signal: 'SIGTERM' });
    assert.equal(pidAlive(child.pid), false);
    assert.ok(!runningChildren().includes(child));
    await child.stop(); // idempotent
  });

  it('SIGKILLs a child that ignores SIGTERM once graceMs has passed', async () => {
    // `exec` so the shell becomes the SIGTERM-ignoring sleep: no grandchild is left to orphan.
    const child = spawnManaged({
      name: 'stubborn',
      command: 'sh',
      args: ['-c', 'trap "" TERM; exec sleep 30'],
    });
    // Only once sleep runs is the trap certainly in place.
    await waitUntil(() => comm(child.pid) === 'sleep', 'the trap to be set');
    const started = Date.now();
    await child.stop({ graceMs: 300 });
    const elapsed = Date.now() - started;
    assert.deepEqual(await child.exited, { code: null, signal: 'SIGKILL' });
    assert.ok(elapsed >= 250, `stopped after ${elapsed} ms, before graceMs`);
    assert.equal(pidAlive(child.pid), false);
  });

  it('appends stdout and stderr to the log file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kos-test-child-'));
    try {
      const logFile = join(dir, 'out.log');
      for (const word of ['one', 'two']) {
        const child = spawnManaged({
          name: 'echo',
          command: 'sh',
          args: ['-c', `echo ${word}-out; echo ${word}-err >&2`],
          logFile,
        });
        assert.deepEqual(await child.exited, { code: 0, signal: null });
      }
      assert.equal(await readFile(logFile, 'utf8'), 'one-out\none-err\ntwo-out\ntwo-err\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('throws KosTestError naming the command when it does not exist', () => {
    assert.throws(
      () => spawnManaged({ name: 'ghost', command: '/nonexistent/ghost', args: [] }),
      (e: unknown) =>
        e instanceof KosTestError && /cannot start ghost: \/nonexistent\/ghost: no such file/.test(e.message),
    );
    assert.throws(
      () =>
        spawnManaged({
          name: 'ghost',
          command: 'no-such-command-kos',
          args: [],
          env: { PATH: '/nonexistent' },
        }),
      // Named, without dumping PATH (issue 19: a 600-character PATH was the whole error).
      (e: unknown) =>
        e instanceof KosTestError &&
        /no-such-command-kos: not found on PATH/.test(e.message) &&
        !e.message.includes('/nonexistent'),
    );
  });

  it('throws KosTestError when the working directory does not exist', () => {
    assert.throws(
      () => spawnManaged({ name: 'lost', command: 'sleep', args: ['1'], cwd: '/nonexistent/dir' }),
      (e: unknown) =>
        e instanceof KosTestError && /working directory \/nonexistent\/dir does not exist/.test(e.message),
    );
  });

  it('throws KosTestError when the log file cannot be opened', () => {
    assert.throws(
      () =>
        spawnManaged({ name: 'sleeper', command: 'sleep', args: ['1'], logFile: '/nonexistent/dir/x.log' }),
      (e: unknown) => e instanceof KosTestError && /cannot open the log file for sleeper/.test(e.message),
    );
  });
});

describe('stopAllChildren', () => {
  it('stops every registered child', async () => {
    const children: ManagedChild[] = [1, 2, 3].map((i) =>
      spawnManaged({ name: `sleeper${i}`, command: 'sleep', args: ['30'] }),
    );
    assert.ok(children.every((c) => c.isRunning()));
    await stopAllChildren();
    assert.ok(children.every((c) => !c.isRunning() && !pidAlive(c.pid)));
    assert.deepEqual(runningChildren(), []);
  });
});

describe('installExitHandlers', () => {
  /** Starts the fixture in its own node process and returns it with its child's pid. */
  async function startFixture(mode: 'wait' | 'exit') {
    const proc = spawn(process.execPath, [fixture, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
      proc.once('exit', (code, signal) => {
        done({ code, signal });
      });
    });
    let out = '';
    for await (const chunk of proc.stdout) {
      out += String(chunk);
      if (out.includes('\n')) break;
    }
    const { pid } = JSON.parse(out) as { pid: number };
    strays.push(pid);
    return { proc, exited, childPid: pid };
  }

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`on ${signal} stops the children and exits ${code}`, async () => {
      const { proc, exited, childPid } = await startFixture('wait');
      try {
        assert.equal(pidAlive(childPid), true);
        proc.kill(signal);
        assert.deepEqual(await exited, { code, signal: null });
        // The fixture waited for its child, so it was reaped before the fixture exited.
        assert.throws(() => process.kill(childPid, 0), { code: 'ESRCH' });
      } finally {
        proc.kill('SIGKILL');
      }
    });
  }

  it('on process.exit SIGKILLs children still running', async () => {
    const { exited, childPid } = await startFixture('exit');
    assert.deepEqual(await exited, { code: 0, signal: null });
    await waitUntil(() => !pidAlive(childPid), 'the orphaned child to die');
  });
});
