/**
 * Which process owns each data plane on this host: one file per prefix under `/run/kos-test`
 * (tmpfs: it goes at reboot, as the namespaces do). A testbed sweeps its own directory's leftovers
 * when started there again; a testbed killed in a directory never used again (a test's temporary
 * one, a removed one) left its namespaces for good. So every testbed's start also sweeps the data
 * planes whose owner is gone. The owner is a PID and its start time: a recycled PID is not it.
 */
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { pidAlive, processStartTicks } from '../../process/pid-alive.js';
import { writeFileAtomic } from '../../util/atomic-write.js';

export const OWNERS_DIR = '/run/kos-test/data-planes';

const ownerSchema = z.object({
  /** The testbed's directory, where its journals of owed post-delete commands are. */
  dir: z.string(),
  pid: z.number().int().positive(),
  startTicks: z.number().int().nonnegative(),
});

/** A data plane whose owner is gone: its prefix, and its directory when the record says. */
export interface OrphanedDataPlane {
  prefix: string;
  dir: string | undefined;
}

const fileOf = (prefix: string): string => join(OWNERS_DIR, `${prefix}.json`);

/** Records this process as the owner of the data plane named `prefix`. */
export async function claimDataPlane(prefix: string, dir: string): Promise<void> {
  // 0 (no start time to read) makes the owner a PID alone.
  const startTicks = processStartTicks(process.pid) ?? 0;
  await writeFileAtomic(fileOf(prefix), `${JSON.stringify({ dir, pid: process.pid, startTicks })}\n`);
}

export async function releaseDataPlane(prefix: string): Promise<void> {
  await rm(fileOf(prefix), { force: true });
}

function ownerGone(o: z.infer<typeof ownerSchema>): boolean {
  return o.startTicks === 0 ? !pidAlive(o.pid) : processStartTicks(o.pid) !== o.startTicks;
}

/**
 * The data planes whose owner no longer runs. A record that does not parse names no owner to
 * wait for (records are written whole, by rename): it counts as an orphan with no directory.
 */
export async function orphanedDataPlanes(): Promise<OrphanedDataPlane[]> {
  const files = await readdir(OWNERS_DIR).catch(() => [] as string[]);
  const orphans: OrphanedDataPlane[] = [];
  for (const f of files.filter((x) => x.endsWith('.json'))) {
    const prefix = f.slice(0, -'.json'.length);
    const text = await readFile(join(OWNERS_DIR, f), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    let owner: z.infer<typeof ownerSchema> | undefined;
    try {
      owner = ownerSchema.parse(JSON.parse(text));
    } catch {
      owner = undefined;
    }
    if (owner === undefined) orphans.push({ prefix, dir: undefined });
    else if (ownerGone(owner)) orphans.push({ prefix, dir: owner.dir });
  }
  return orphans;
}
