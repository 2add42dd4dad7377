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
import { processStartTicks } from '../../process/pid-alive.js';
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

const fileOf = (registry: string, prefix: string): string => join(registry, `${prefix}.json`);

/** Records this process as the owner of the data plane named `prefix`. */
export async function claimDataPlane(prefix: string, dir: string, registry = OWNERS_DIR): Promise<void> {
  const startTicks = processStartTicks(process.pid) ?? 0;
  await writeFileAtomic(
    fileOf(registry, prefix),
    `${JSON.stringify({ dir, pid: process.pid, startTicks })}\n`,
  );
}

export async function releaseDataPlane(prefix: string, registry = OWNERS_DIR): Promise<void> {
  await rm(fileOf(registry, prefix), { force: true });
}

/**
 * The data planes whose owner no longer runs. A file that does not parse (its writer died
 * mid-write) counts as an orphan with no directory: its namespaces can still go.
 */
export async function orphanedDataPlanes(registry = OWNERS_DIR): Promise<OrphanedDataPlane[]> {
  const files = await readdir(registry).catch(() => [] as string[]);
  const orphans: OrphanedDataPlane[] = [];
  for (const f of files.filter((x) => x.endsWith('.json'))) {
    const prefix = f.slice(0, -'.json'.length);
    const text = await readFile(join(registry, f), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    let owner: z.infer<typeof ownerSchema> | undefined;
    try {
      owner = ownerSchema.parse(JSON.parse(text));
    } catch {
      owner = undefined;
    }
    if (owner === undefined) orphans.push({ prefix, dir: undefined });
    else if (processStartTicks(owner.pid) !== owner.startTicks) orphans.push({ prefix, dir: owner.dir });
  }
  return orphans;
}
