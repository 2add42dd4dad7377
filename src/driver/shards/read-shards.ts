/** The I/O of `kos-test merge`: reading shard summaries from their directories, writing the merge. */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { withCrashes, type ProcessCrash } from '../../measure/process-crash.js';
import { KosTestError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import type { DriveSummary } from '../drive-summary.js';
import { readDriveSummary } from '../read-summary.js';
import { mergeSummaries } from './merge-summaries.js';

export const SUMMARY_FILE = 'summary.json';

/** A shard's output directory (`<out>/<runid>`), or its summary.json itself. */
async function summaryPath(source: string): Promise<string> {
  try {
    return (await stat(source)).isDirectory() ? join(source, SUMMARY_FILE) : source;
  } catch (e: unknown) {
    throw new KosTestError({
      what: 'no such shard directory',
      value: source,
      fix: "give each shard's output directory <out>/<runid>",
      cause: e,
    });
  }
}

/**
 * The shard directories a source names: a run's directory `<out>/<runid>` holding the driver's
 * `shard-<i>/` stands for all of them; anything else is one shard.
 */
export async function expandSources(sources: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const source of sources) {
    const entries = await readdir(source, { withFileTypes: true }).catch(() => []);
    const shards = entries
      .filter((e) => e.isDirectory() && /^shard-\d+$/.test(e.name))
      .map((e) => join(source, e.name))
      .sort();
    const hasSummary = entries.some((e) => e.name === SUMMARY_FILE);
    out.push(...(shards.length > 0 && !hasSummary ? shards : [source]));
  }
  return out;
}

export async function readShardSummary(source: string): Promise<DriveSummary> {
  const path = await summaryPath(source);
  return readDriveSummary(path, {
    what: 'shard summary',
    fix: 'the shard may not have finished; give the directory holding its summary.json written by kos-test drive',
  });
}

/** Reads every shard, merges, and writes `<outDir>/summary.json` atomically, once. */
export async function mergeShardDirs(
  sources: readonly string[],
  outDir: string,
): Promise<{ path: string; summary: DriveSummary }> {
  const summaries = await Promise.all((await expandSources(sources)).map(readShardSummary));
  return writeMerged(summaries, outDir);
}

/** Merges the shards' summaries and writes `<outDir>/summary.json` (the run's one summary, with its crashes when known). */
export async function writeMerged(
  summaries: readonly DriveSummary[],
  outDir: string,
  crashes?: readonly ProcessCrash[],
): Promise<{ path: string; summary: DriveSummary }> {
  const summary = withCrashes(mergeSummaries(summaries), crashes);
  const path = join(outDir, SUMMARY_FILE);
  await writeFileAtomic(path, `${JSON.stringify(summary, null, 2)}\n`);
  return { path, summary };
}
