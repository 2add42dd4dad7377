/**
 * A pacing process started by kos-test (its own session) raises its session's autogroup and its
 * main thread to PACING_NICE when permitted, and says so; one started from a shell's session
 * leaves the session's group alone.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { spawnManaged } from '../../../src/process/child-registry.js';
import { PACING_NICE } from '../../../src/process/pacing-priority.js';

const MODULE = resolve('dist/src/process/pacing-priority.js');
// Prints what it got, its autogroup line and its main thread's nice (field 19 of stat).
const CHILD = `
import { readFileSync } from 'node:fs';
const { raisePacingPriority } = await import(${JSON.stringify(MODULE)});
const got = raisePacingPriority();
const stat = readFileSync('/proc/self/stat', 'utf8');
const nice = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
console.log(JSON.stringify({ got, autogroup: readFileSync('/proc/self/autogroup', 'utf8').trim(), nice }));
`;

interface ChildReport {
  got: { autogroup: boolean; thread: boolean };
  autogroup: string;
  nice: number;
}

/** Whether this process may lower nice values (root, or CAP_SYS_NICE in its effective set). */
async function maySetNice(): Promise<boolean> {
  const status = await readFile('/proc/self/status', 'utf8');
  const eff = BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(status)?.[1] ?? '0'}`);
  return (eff & (1n << 23n)) !== 0n;
}

describe('the pacing priority', () => {
  let dir = '';
  after(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('of a process kos-test spawned: its own group and thread at PACING_NICE when permitted, nothing otherwise', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-pacing-'));
    const log = join(dir, 'child.log');
    const child = spawnManaged({
      name: 'pacing child',
      command: process.execPath,
      args: ['--input-type=module', '-e', CHILD],
      logFile: log,
    });
    assert.equal((await child.exited).code, 0, await readFile(log, 'utf8'));
    const r = JSON.parse(await readFile(log, 'utf8')) as ChildReport;
    if (await maySetNice()) {
      assert.deepEqual(r.got, { autogroup: true, thread: true });
      assert.match(r.autogroup, new RegExp(`nice ${PACING_NICE}$`));
      assert.equal(r.nice, PACING_NICE);
    } else {
      assert.deepEqual(r.got, { autogroup: false, thread: false });
      assert.match(r.autogroup, /nice 0$/);
    }
  });

  it('of a process in another session: that session`s group is left alone', async () => {
    // The child shares this test's session, so it reads this session's autogroup: the same line
    // before and after means untouched. (A session outside any autogroup, as where the session
    // dates from boot, reads an empty line.)
    const ours = (await readFile('/proc/self/autogroup', 'utf8')).trim();
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', CHILD]);
    const r = JSON.parse(stdout) as ChildReport;
    assert.equal(r.got.autogroup, false);
    assert.equal(r.autogroup, ours);
    assert.equal((await readFile('/proc/self/autogroup', 'utf8')).trim(), ours);
  });
});
