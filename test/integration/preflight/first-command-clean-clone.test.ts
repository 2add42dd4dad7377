/**
 * The README's first command, as a new user runs it: in a fresh clone, as an ordinary user
 * (nobody), on a machine without etcd and Prometheus (a PATH without them). It must stop at once
 * with the one install command, not start a sweep that fails run after run.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const MISSING = /^(etcd|etcdctl|etcdutl|prometheus|promtool)$/;

/** The first line of the README's first sh block, without its comment. */
function firstCommand(readme: string): string {
  const line = /```sh\n([^\n]*)/.exec(readme)?.[1] ?? '';
  return line.replace(/\s+#.*$/, '').trim();
}

/** A directory of links to every program in /usr/bin except etcd's and Prometheus's. */
async function pathWithout(dir: string): Promise<string> {
  await mkdir(dir);
  for (const name of await readdir('/usr/bin'))
    if (!MISSING.test(name)) await symlink(join('/usr/bin', name), join(dir, name));
  return dir;
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function asNobody(cwd: string, path: string, command: string): Promise<Outcome> {
  const args = ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '/usr/bin/env', '-i'];
  const env = [`PATH=${path}`, 'HOME=/nonexistent', 'LANG=C.UTF-8'];
  try {
    const r = await run('/usr/bin/setpriv', [...args, ...env, '/bin/sh', '-c', command], {
      cwd,
      timeout: 60_000,
    });
    return { code: 0, ...r };
  } catch (e: unknown) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe("the README's first command in a clean clone, without etcd and Prometheus, not as root", () => {
  let root: string | undefined;
  after(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it('prints the one install command and stops, starting no sweep', async () => {
    root = await mkdtemp(join(tmpdir(), 'kos-test-first-run-'));
    await chmod(root, 0o755); // nobody reads the clone
    const clone = join(root, 'kos-test');
    await run('git', ['clone', '--quiet', repo, clone]);
    const command = firstCommand(await readFile(join(clone, 'README.md'), 'utf8'));
    assert.match(command, /npm run main/, 'the first command runs the main job');
    const path = await pathWithout(join(root, 'bin'));

    // The test's own preconditions: really without the two programs, really not root.
    const probe = await asNobody(clone, path, 'id -u; command -v etcd prometheus || true');
    assert.equal(probe.stdout.trim(), '65534');

    const r = await asNobody(clone, path, command);
    assert.notEqual(r.code, 0);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0] ?? '',
      /^kos-test needs etcd-server etcd-client prometheus; install them as root: sudo sh -c 'apt-get update && apt-get install -y etcd-server etcd-client prometheus'$/,
    );
    assert.ok(!lines[0]?.includes(path), 'no dump of PATH');
    assert.deepEqual(
      (await readdir(clone)).filter((f) => f === 'out' || f === 'node_modules'),
      [],
      'neither npm ci nor the sweep ran',
    );
  });
});
