/**
 * Reads a sweep directory (spec.yaml, results.jsonl, optional environment.json) into the report's
 * input. Every results line is checked against the run-record schema; a bad line stops the report
 * with its line number. A run recorded twice (a resumed sweep re-ran it) counts once: the last.
 */
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { runRecordSchema, type RunRecord } from '../experiment/run-record.js';
import { KosTestError } from '../util/errors.js';
import type { SweepInput } from './model/report-run.js';

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

export function parseResults(text: string, path: string): RunRecord[] {
  const byRun = new Map<string, RunRecord>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new KosTestError({
        what: `bad results line ${i + 1} in ${path}`,
        value: line.length > 80 ? `${line.slice(0, 77)}...` : line,
        fix: 'each line must be one JSON run record; remove or repair the line',
      });
    }
    const parsed = runRecordSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new KosTestError({
        what: `bad results line ${i + 1} in ${path}`,
        value: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
        fix: 'the line is not a kos-test/run-record/v1 record; remove it or re-run that run',
      });
    }
    byRun.delete(parsed.data.runId);
    byRun.set(parsed.data.runId, parsed.data);
  });
  return [...byRun.values()];
}

function environmentOf(records: readonly RunRecord[], extra: Record<string, unknown>): [string, string][] {
  const first = records[0];
  const started = Math.min(...records.map((r) => r.timing.startedMs));
  const ended = Math.max(...records.map((r) => r.timing.endedMs));
  const facts: [string, string][] =
    first === undefined
      ? []
      : [
          ['sweep', first.sweepId],
          ['spec hash', first.specHash],
          ['target', [...new Set(records.map((r) => r.target))].join(', ')],
          ['X (POP unit)', String(first.X)],
          ['runs recorded', String(records.length)],
          ['first run started', new Date(started).toISOString()],
          ['last run ended', new Date(ended).toISOString()],
        ];
  for (const [k, v] of Object.entries(extra)) facts.push([k, typeof v === 'string' ? v : JSON.stringify(v)]);
  return facts;
}

export interface LoadedSweep {
  input: SweepInput;
  records: RunRecord[];
}

export async function loadSweep(dir: string): Promise<LoadedSweep> {
  const abs = resolve(dir);
  const resultsPath = join(abs, 'results.jsonl');
  const text = await readOptional(resultsPath);
  if (text === null)
    throw new KosTestError({
      what: 'not a sweep directory (no results.jsonl)',
      value: abs,
      fix: 'give the directory `kos-test experiment` wrote, or use --run <dir> for one driver run',
    });
  const records = parseResults(text, resultsPath);
  const envText = await readOptional(join(abs, 'environment.json'));
  let extra: Record<string, unknown> = {};
  if (envText !== null) {
    try {
      extra = JSON.parse(envText) as Record<string, unknown>;
    } catch {
      extra = { 'environment.json': 'unreadable (not JSON)' };
    }
  }
  return {
    records,
    input: {
      title: `kos-test sweep ${records[0]?.sweepId ?? basename(abs)}`,
      specText: await readOptional(join(abs, 'spec.yaml')),
      environment: environmentOf(records, extra),
      runs: records,
    },
  };
}
