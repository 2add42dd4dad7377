/**
 * A testbed killed with kill -9 in a directory that is then removed (a test's temporary one) left
 * its network namespaces where no later `up` in that directory would find them. Any testbed's up
 * now removes the data planes whose supervisor is gone, and leaves a live one's alone.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { listNetns } from '../../../../src/testbed/data-plane/linux-fabric.js';
import { dataPlanePrefix, fabricNetns } from '../../../../src/testbed/data-plane/names.js';
import { OWNERS_DIR } from '../../../../src/testbed/data-plane/owners.js';
import { Testbed } from '../../../../src/testbed/supervisor/testbed.js';
import { pidAlive } from '../../../../src/process/pid-alive.js';
import { assertDataPlaneSupported } from '../../../support/data-plane-support.js';

const cli = fileURLToPath(new URL('../../../../../bin/kos-test.js', import.meta.url));
const CONFIG = { nca: 2, agentsPerGroup: 1, prometheus: false };

const ownerFile = (testbedDir: string): string => join(OWNERS_DIR, `${dataPlanePrefix(testbedDir)}.json`);
const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );
const namespacesOf = async (testbedDir: string): Promise<string[]> =>
  (await listNetns()).filter((n) => n.startsWith(`${dataPlanePrefix(testbedDir)}-`));

/** `kos-test testbed up` in its own process, killed with SIGKILL once up: returns its PID. */
async function upAndKill(testbedDir: string): Promise<number> {
  const child = spawn(
    process.execPath,
    [cli, 'testbed', 'up', '--dir', testbedDir, '--nca', '2', '--agents-per-group', '1', '--no-prometheus'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const deadline = Date.now() + 90_000;
  while (!out.includes('Press ^C')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      assert.fail(`testbed up did not come up:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid ?? 0;
  const gone = new Promise((done) => child.once('exit', done));
  child.kill('SIGKILL');
  await gone;
  return pid;
}

describe('data planes whose supervisor is gone', () => {
  let dir = '';
  const live: Testbed[] = [];
  before(async () => {
    assertDataPlaneSupported();
    dir = await mkdtemp(join(tmpdir(), 'kos-test-orphans-'));
  });
  after(async () => {
    for (const t of live) await t.down();
    await rm(dir, { recursive: true, force: true });
  });

  it('are removed by the next up in any directory, a live one is left alone, and down releases its own', async () => {
    const killed = join(dir, 'killed', 'tb');
    const pid = await upAndKill(killed);
    assert.equal(pidAlive(pid), false);
    assert.deepEqual(await namespacesOf(killed), [fabricNetns(dataPlanePrefix(killed))]);
    assert.ok(await exists(ownerFile(killed)), 'the killed testbed left no owner record');
    // Its directory goes, as a test's temporary one does: no up will ever run there again.
    await rm(join(dir, 'killed'), { recursive: true, force: true });

    const messages: string[] = [];
    const first = join(dir, 'first');
    live.push(await Testbed.up({ dir: first, config: CONFIG, log: (m) => messages.push(m) }));
    assert.deepEqual(await namespacesOf(killed), [], 'the orphan namespaces are still there');
    assert.equal(await exists(ownerFile(killed)), false);
    assert.ok(
      messages.some((m) =>
        m.startsWith(
          `data plane: removed 1 namespace(s) named ${dataPlanePrefix(killed)}-* left by a testbed in ${killed} whose supervisor is gone`,
        ),
      ),
      messages.join('\n'),
    );

    // A second testbed of a live supervisor (this process) does not touch the first's.
    const second = join(dir, 'second');
    live.push(await Testbed.up({ dir: second, config: CONFIG, log: () => undefined }));
    assert.deepEqual(await namespacesOf(first), [fabricNetns(dataPlanePrefix(first))]);
    assert.ok(await exists(ownerFile(first)));

    for (const t of live.splice(0)) await t.down();
    for (const d of [first, second]) {
      assert.deepEqual(await namespacesOf(d), []);
      assert.equal(await exists(ownerFile(d)), false, `${d}: down left its owner record`);
    }
  });
});
