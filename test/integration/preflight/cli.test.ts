/**
 * Preflight as users meet it: the real commands on this machine, each stopped before it starts
 * anything, with one short line per problem (never a dump of PATH, never a failed run).
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { preflight } from '../../../src/preflight/preflight.js';
import { binaryProbe, testbedNeeds } from '../../../src/preflight/preflight-needs.js';
import { KosTestError } from '../../../src/util/errors.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const cli = join(repo, 'bin', 'kos-test.js');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function kosTest(
  args: string[],
  o: { env?: NodeJS.ProcessEnv; prefix?: string[] } = {},
): Promise<Outcome> {
  const [cmd, ...pre] = [...(o.prefix ?? []), process.execPath];
  try {
    const r = await run(cmd, [...pre, cli, ...args], {
      env: o.env ?? process.env,
      timeout: 60_000,
    });
    return { code: 0, ...r };
  } catch (e: unknown) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** The problem lines of a preflight refusal (after its header line). */
function problems(r: Outcome): string[] {
  const [head = '', ...rest] = r.stderr.trimEnd().split('\n');
  assert.match(head, /^kos-test: preflight: \d+ problems?, nothing started$/, r.stderr);
  assert.equal(r.code, 1);
  return rest.map((l) => l.trim());
}

describe('preflight before a run', () => {
  let root: string;
  let pathWithout: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kos-test-preflight-'));
    pathWithout = join(root, 'bin');
    await mkdir(pathWithout);
    for (const name of await readdir('/usr/bin'))
      if (!/^(etcd|etcdctl|etcdutl|prometheus|promtool)$/.test(name))
        await symlink(join('/usr/bin', name), join(pathWithout, name));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('names each missing binary once, without PATH, and starts no sweep', async () => {
    const out = join(root, 'quickstart');
    const env = { ...process.env, PATH: pathWithout, KOS_TEST_ETCD: '', KOS_TEST_PROMETHEUS: '' };
    const r = await kosTest(['experiment', 'quickstart', '--out', out], { env });
    assert.deepEqual(problems(r), [
      'etcd is missing: sudo ops/install-deps.sh (or apt-get install -y etcd-server etcd-client)',
      'prometheus is missing: sudo ops/install-deps.sh (or apt-get install -y prometheus)',
    ]);
    assert.ok(!r.stderr.includes(pathWithout), 'no PATH dump');
    assert.equal(r.stdout, '');
    await assert.rejects(readdir(out), 'no sweep directory');
  });

  it('reports a port in use', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const r = await kosTest(['drive', '--metrics-port', String(port), '--kubeconfig', '/nonexistent']);
      assert.deepEqual(problems(r), [
        `127.0.0.1:${port} (the driver's /metrics) is in use: stop what holds it or choose another port`,
      ]);
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    }
  });

  it('reports an address that cannot be bound', async () => {
    // 192.0.2.1 (TEST-NET-1) is no address of this machine; binding it sends nothing.
    const r = await kosTest(['drive', '--metrics-host', '192.0.2.1', '--kubeconfig', '/nonexistent']);
    assert.deepEqual(problems(r), [
      "192.0.2.1:9376 (the driver's /metrics) cannot be bound (EADDRNOTAVAIL): use an address of this machine",
    ]);
  });

  it('reports an open-file limit too low for the testbed', async () => {
    const dir = join(root, 'tb-ulimit');
    const r = await kosTest(['testbed', 'up', '--dir', dir], { prefix: ['prlimit', '--nofile=900:900'] });
    assert.deepEqual(problems(r), ['ulimit -n is 900, at least 1024 needed: raise it (ulimit -n 4096)']);
  });

  it('reports too little memory for the testbed', async () => {
    const needs = { ...testbedNeeds({ testbedDir: join(root, 'tb-mem'), prometheus: true, outDir: root }) };
    needs.minMemoryBytes = 2 ** 50; // 1 PiB: more than this machine has
    await assert.rejects(
      preflight(needs, binaryProbe()),
      (e: unknown) =>
        e instanceof KosTestError &&
        /\n {2}\d+ MiB of memory available, at least 1073741824 MiB needed: free some memory$/.test(
          e.message,
        ),
    );
  });

  it('reports too little disk for the outputs', async () => {
    const needs = { ...testbedNeeds({ testbedDir: join(root, 'tb-disk'), prometheus: true, outDir: root }) };
    needs.disk = { dir: join(root, 'not-yet', 'made'), minBytes: 2 ** 60 };
    await assert.rejects(
      preflight(needs, binaryProbe()),
      (e: unknown) =>
        e instanceof KosTestError &&
        /\n {2}\d+ MiB free on the disk of .*not-yet\/made, at least \d+ MiB needed/.test(e.message),
    );
  });

  describe('a testbed left in the directory', () => {
    let stand: ChildProcess | undefined;
    after(() => {
      stand?.kill('SIGKILL');
    });

    it('reports a testbed still up there, and one whose supervisor died leaving etcd', async () => {
      const dir = join(root, 'tb-left');
      await mkdir(dir, { recursive: true });
      // A process whose command line names the testbed's directory, as a real etcd member's does.
      stand = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'testbed', dir], {
        stdio: 'ignore',
      });
      const pid = stand.pid ?? 0;
      const state = (supervisor: number): string =>
        JSON.stringify({
          pid: supervisor,
          controlUrl: 'http://127.0.0.1:1/',
          startedAt: new Date().toISOString(),
          kubeconfig: join(dir, 'kubeconfig'),
        });
      await writeFile(join(dir, 'testbed.json'), state(pid));
      // What a supervisor writes of its etcd and Prometheus, for the next start to stop.
      await writeFile(join(dir, 'owned-pids.json'), JSON.stringify({ owned: [{ pid, marker: dir }] }));
      const up = await kosTest(['testbed', 'up', '--dir', dir]);
      assert.deepEqual(problems(up), [
        `a testbed is up in ${dir} (supervisor pid ${pid}): kos-test testbed down --dir ${dir}`,
      ]);
      await writeFile(join(dir, 'testbed.json'), state(2 ** 22 + 1)); // above pid_max: no process
      const left = await kosTest(['testbed', 'up', '--dir', dir]);
      assert.deepEqual(problems(left), [
        `a testbed in ${dir} left etcd/Prometheus running (pids ${pid}): kos-test testbed down --dir ${dir}`,
      ]);
    });
  });
});
