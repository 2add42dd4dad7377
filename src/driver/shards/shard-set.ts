/**
 * Whether a set of shard summaries is exactly one run's shards 0..N-1, each once. A merge of a
 * partial or mixed set would look plausible and be wrong, so each defect is refused by name.
 */
import { KosTestError } from '../../util/errors.js';
import type { DriveSummary } from '../drive-summary.js';

export interface ShardSet {
  runId: string;
  count: number;
  /** 0..count-1, every one present once. */
  indices: number[];
}

function distinct<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

export function checkShardSet(summaries: readonly DriveSummary[]): ShardSet {
  if (summaries.length === 0) {
    throw new KosTestError({
      what: 'no shard summaries to merge',
      fix: "give each shard's output directory",
    });
  }
  const runIds = distinct(summaries.map((s) => s.runId));
  if (runIds.length > 1) {
    throw new KosTestError({
      what: 'shard summaries are of different runs',
      value: runIds.join(', '),
      fix: 'merge the shards of one run id only',
    });
  }
  const counts = distinct(summaries.map((s) => s.shard.count));
  const count = counts[0] ?? 0;
  if (counts.length > 1) {
    throw new KosTestError({
      what: 'shard summaries disagree on the number of shards',
      value: counts.join(', '),
      fix: 'merge shards of one --shard i/N run, all with the same N',
    });
  }
  const all = summaries.flatMap((s) => s.shard.indices);
  const outOfRange = distinct(all.filter((i) => i >= count));
  if (outOfRange.length > 0) {
    throw new KosTestError({
      what: `shard indices out of range for ${count} shards`,
      value: outOfRange.join(', '),
      fix: `indices run from 0 to ${count - 1}`,
    });
  }
  const duplicates = distinct(all.filter((i, k) => all.indexOf(i) !== k)).sort((a, b) => a - b);
  if (duplicates.length > 0) {
    throw new KosTestError({
      what: 'shards given more than once',
      value: duplicates.map((i) => `${i}/${count}`).join(', '),
      fix: "give each shard's directory once",
    });
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !all.includes(i));
  if (missing.length > 0) {
    throw new KosTestError({
      what: `shards missing from run ${runIds[0] ?? ''}`,
      value: missing.map((i) => `${i}/${count}`).join(', '),
      fix: 'give the directory of every shard; a missing one may still be running, or have failed',
    });
  }
  checkOnePlan(summaries);
  return { runId: runIds[0] ?? '', count, indices: Array.from({ length: count }, (_, i) => i) };
}

/** Options that decide the global plan: shards that differ in one sliced different plans. */
const PLAN_KEYS = [
  'seed',
  'startAtMs',
  'rate',
  'warmupRate',
  'cooldownRate',
  'numAttachments',
  'opsDistribution',
  'numNets',
  'topNetSize',
  'exponent',
  'bias',
  'waitAfterCreate',
] as const;

function checkOnePlan(summaries: readonly DriveSummary[]): void {
  for (const key of PLAN_KEYS) {
    const values = distinct(
      summaries.map((s) => (s.config[key] === undefined ? 'unset' : JSON.stringify(s.config[key]))),
    );
    if (values.length > 1) {
      throw new KosTestError({
        what: `shards of one run planned with different ${key}`,
        value: values.join(', '),
        fix: 'run every shard with the same options (kos-test drive --emit-job does)',
      });
    }
  }
  const populations = distinct(summaries.map((s) => JSON.stringify(s.population)));
  if (populations.length > 1) {
    throw new KosTestError({
      what: 'shards of one run planned different populations',
      value: populations.join(' vs '),
      fix: 'run every shard with the same options',
    });
  }
}
