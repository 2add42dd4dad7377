/**
 * The runner owns its testbed in-process. If the runner is killed with SIGKILL, our node
 * processes exit with their parent, but etcd and Prometheus (foreign binaries) would live on and
 * hold the testbed's addresses. So the runner writes their PIDs beside the testbed, and the next
 * run in that sweep directory stops the ones still running that are ours (their command line
 * names the testbed directory) before it starts a new testbed.
 */
import { readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeFileAtomic } from '../util/atomic-write.js';

export async function recordTestbedPids(file: string, pids: readonly number[]): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify({ pids })}\n`);
}

async function cmdline(pid: number): Promise<string | undefined> {
  return readFile(`/proc/${pid}/cmdline`, 'utf8').then(
    (t) => t.replace(/\0/g, ' '),
    () => undefined,
  );
}

/** Stops (TERM, then KILL) each recorded process that still runs with testbedDir in its command line. */
export async function stopTestbedLeftovers(file: string, testbedDir: string): Promise<number[]> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  const { pids } = JSON.parse(text) as { pids: number[] };
  const ours: number[] = [];
  for (const pid of pids) {
    const cmd = await cmdline(pid);
    if (cmd?.includes(testbedDir) === true) ours.push(pid);
  }
  for (const pid of ours) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  for (const pid of ours) {
    while ((await cmdline(pid)) !== undefined && Date.now() < deadline) await sleep(100);
    if ((await cmdline(pid)) !== undefined) process.kill(pid, 'SIGKILL');
  }
  await rm(file, { force: true });
  return ours;
}
