/**
 * Processes we start that would outlive a SIGKILL of their parent (etcd and Prometheus: foreign
 * binaries that do not watch it): their PIDs are written down with a marker their command line
 * holds, and the next start in the same place stops those still running. A PID counts as ours
 * only while its command line holds the marker, so a recycled PID is never touched.
 */
import { readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic-write.js';

const ownedPidsSchema = z.object({
  owned: z.array(z.object({ pid: z.number().int().positive(), marker: z.string().min(1) })),
});
export type OwnedPid = z.infer<typeof ownedPidsSchema>['owned'][number];

const STOP_GRACE_MS = 10_000;

/** True when `pid` runs and one of its arguments contains `marker`. */
export async function isOurProcess(pid: number, marker: string): Promise<boolean> {
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.split('\0').some((arg) => arg.includes(marker));
  } catch {
    return false;
  }
}

export async function recordOwnedPids(file: string, owned: readonly OwnedPid[]): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify({ owned })}\n`);
}

/** Stops (TERM, then KILL after a grace) every recorded process still ours; returns their PIDs. */
export async function stopOwnedLeftovers(file: string): Promise<number[]> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  let owned: OwnedPid[] = [];
  try {
    owned = ownedPidsSchema.parse(JSON.parse(text)).owned;
  } catch {
    // A torn record (the writer died mid-write) names nothing we could trust.
  }
  const ours: OwnedPid[] = [];
  for (const o of owned) if (await isOurProcess(o.pid, o.marker)) ours.push(o);
  for (const o of ours) process.kill(o.pid, 'SIGTERM');
  const deadline = Date.now() + STOP_GRACE_MS;
  for (const o of ours) {
    while ((await isOurProcess(o.pid, o.marker)) && Date.now() < deadline) await sleep(100);
    if (await isOurProcess(o.pid, o.marker)) process.kill(o.pid, 'SIGKILL');
  }
  await rm(file, { force: true });
  return ours.map((o) => o.pid);
}
