/** The I/O of `kos-test merge`: reading shard summaries from their directories, writing the merge. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KosTestError, toError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { driveSummarySchema, type DriveSummary } from '../drive-summary.js';
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
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e: unknown) {
    throw new KosTestError({
      what: 'cannot read shard summary',
      value: `${path}: ${toError(e).message}`,
      fix: 'the shard may not have finished; give the directory holding its summary.json',
      cause: e,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e: unknown) {
    throw new KosTestError({
      what: 'shard summary is not JSON',
      value: path,
      fix: 'rerun that shard',
      cause: e,
    });
  }
  const parsed = driveSummarySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KosTestError({
      what: 'shard summary does not match kos-test/drive-summary/v1',
      value: `${path}: ${issue === undefined ? 'invalid' : `${issue.path.join('.')}: ${issue.message}`}`,
      fix: 'give summary.json files written by kos-test drive',
    });
  }
  return parsed.data;
}

/** Reads every shard, merges, and writes `<outDir>/summary.json` atomically; returns its path. */
export async function mergeShardDirs(sources: readonly string[], outDir: string): Promise<string> {
  const summaries = await Promise.all((await expandSources(sources)).map(readShardSummary));
  const merged = mergeSummaries(summaries);
  const path = join(outDir, SUMMARY_FILE);
  await writeFileAtomic(path, `${JSON.stringify(merged, null, 2)}\n`);
  return path;
}
