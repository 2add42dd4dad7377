import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { pidAlive } from '../../../src/process/pid-alive.js';
import { SUPERVISOR_PID_ENV } from '../../../src/process/exit-with-parent.js';

const CLI = resolve('bin/kos-test.js');
const REGISTRY = resolve('dist/src/process/child-registry.js');
const EXIT_WITH_PARENT = resolve('dist/src/process/exit-with-parent.js');

// A process that watches for its starter as a testbed node does, once its start-up is done.
const WATCHER = `
import { exitWithParent } from ${JSON.stringify(EXIT_WITH_PARENT)};
exitWithParent(() => { console.log('stopped'); process.exit(0); });
setInterval(() => undefined, 1000);
`;

// A stand-in for any kos-test process that starts the CLI (a test, the runner starting driver
// shards): it starts `testbed apiserver` (which runs its own etcd child), prints the CLI's PID,
// and is then SIGKILLed, so it can stop no one.
const STARTER = `
import { spawnManaged } from ${JSON.stringify(REGISTRY)};
const [dir, managed] = process.argv.slice(2);
const args = [${JSON.stringify(CLI)}, 'testbed', 'apiserver', '--dir', dir];
let pid;
if (managed === 'managed') {
  pid = spawnManaged({ name: 'cli', command: process.execPath, args, logFile: dir + '.log' }).pid;
} else {
  const { spawn } = await import('node:child_process');
  const { openSync } = await import('node:fs');
  const env = { ...process.env };
  delete env.${SUPERVISOR_PID_ENV};
  const out = openSync(dir + '.log', 'a');
  pid = spawn(process.execPath, args, { env, stdio: ['ignore', out, out] }).pid;
}
console.log(pid);
setInterval(() => undefined, 1000);
`;

async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) out.push(Number(entry));
  }
  return out;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await sleep(100);
  }
}

describe('a kos-test command started by another kos-test process goes when that one is killed', () => {
  let dir = '';
  const started = new Set<number>();
  const starters: ChildProcess[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-orphan-'));
    await writeFile(join(dir, 'starter.mjs'), STARTER);
  });
  after(async () => {
    // Whatever a failed test left: ours by PID, the etcd under it first.
    for (const pid of started)
      for (const p of [...(await childrenOf(pid)), pid])
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // Already gone.
        }
    for (const s of starters) s.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  async function start(name: string, mode: 'managed' | 'plain'): Promise<{ cli: number; etcd: number }> {
    const starter = spawn(process.execPath, [join(dir, 'starter.mjs'), join(dir, name), mode], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    starters.push(starter);
    const cli = await new Promise<number>((res, rej) => {
      starter.stdout.once('data', (d: Buffer) => {
        res(Number(d.toString().trim()));
      });
      starter.once('exit', () => {
        rej(new Error('the starter exited early'));
      });
    });
    started.add(cli);
    const log = join(dir, `${name}.log`);
    await until('the CLI has its stack up', async () =>
      (await readFile(log, 'utf8').catch(() => '')).includes('kubeconfig:'),
    );
    const [etcd] = await childrenOf(cli);
    assert.ok(etcd !== undefined, 'the CLI runs etcd as its child');
    starter.kill('SIGKILL');
    return { cli, etcd };
  }

  it('stops itself and its etcd when started through the child registry', async () => {
    const { cli, etcd } = await start('managed', 'managed');
    await until('the orphaned CLI and its etcd are gone', () => !pidAlive(cli) && !pidAlive(etcd));
  });

  /** Starts the watcher with `starter` named as the kos-test process that started it. */
  function watcher(starter: number): ChildProcess & { stdoutText: () => string } {
    const child = spawn(process.execPath, ['--input-type=module', '-e', WATCHER], {
      env: { ...process.env, [SUPERVISOR_PID_ENV]: String(starter) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    starters.push(child);
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    return Object.assign(child, { stdoutText: () => text });
  }

  it('stops at once when its starter died before it began to check (re-parented during its start-up)', async () => {
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((res) => gone.once('exit', res));
    const w = watcher(gone.pid ?? 0);
    await until('the watcher has stopped', () => w.exitCode !== null, 10_000);
    assert.equal(w.stdoutText().trim(), 'stopped');
  });

  it('keeps running while the kos-test process further up that named itself lives', async () => {
    const above = spawn(process.execPath, ['-e', 'setInterval(() => undefined, 1000)']);
    starters.push(above);
    const w = watcher(above.pid ?? 0);
    await sleep(2500);
    assert.equal(w.exitCode, null, 'still running');
    assert.equal(w.stdoutText(), '');
    w.kill('SIGKILL');
    above.kill('SIGKILL');
  });

  it('keeps running when no kos-test process started it (as under nohup from a shell)', async () => {
    const { cli, etcd } = await start('plain', 'plain');
    await sleep(3000); // three of its parent checks
    assert.ok(pidAlive(cli), 'the CLI still runs');
    assert.ok(pidAlive(etcd), 'its etcd still runs');
    process.kill(cli, 'SIGTERM');
    await until('the CLI stopped on SIGTERM, with its etcd', () => !pidAlive(cli) && !pidAlive(etcd));
  });
});
