/**
 * Reads a sweep directory (spec.yaml, results.jsonl, optional environment.json) into the report's
 * input. Every results line is checked against the run-record schema; a bad line stops the report
 * with its line number. A run recorded twice (same key: a resumed sweep re-did it) counts once: the last.
 */
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { runRecordSchema, type RunRecord } from '../experiment/run-record.js';
import { parseSpecText } from '../experiment/spec-load.js';
import { DEFAULT_VALIDITY, type ValidityThresholds } from '../experiment/validity.js';
import { validityOfRecord } from '../experiment/verdict.js';
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
    byRun.delete(parsed.data.key);
    byRun.set(parsed.data.key, parsed.data);
  });
  return [...byRun.values()];
}

const sweepMetaSchema = z.object({
  sweepId: z.string(),
  seed: z.number().nullable().optional(),
  createdMs: z.number().optional(),
});

/** Facts about the sweep from its records, sweep.json and (when the runner wrote one) environment.json. */
function environmentOf(
  records: readonly RunRecord[],
  meta: z.infer<typeof sweepMetaSchema> | null,
  extra: Record<string, unknown>,
): [string, string][] {
  const facts: [string, string][] = [];
  if (meta !== null) {
    facts.push(['sweep', meta.sweepId]);
    if (meta.createdMs !== undefined) facts.push(['sweep created', new Date(meta.createdMs).toISOString()]);
    if (meta.seed !== undefined)
      facts.push(['run-order seed', meta.seed === null ? 'none (spec order)' : String(meta.seed)]);
  }
  const first = records[0];
  if (first === undefined) facts.push(['runs recorded', '0 (no run has finished yet)']);
  else {
    if (meta === null) facts.push(['sweep', first.sweepId]);
    facts.push(
      ['spec hash', first.specHash],
      ['target', [...new Set(records.map((r) => r.target))].join(', ')],
      ['X (POP unit)', String(first.X)],
      ['runs recorded', String(records.length)],
      ['first run started', new Date(Math.min(...records.map((r) => r.timing.startedMs))).toISOString()],
      ['last run ended', new Date(Math.max(...records.map((r) => r.timing.endedMs))).toISOString()],
    );
  }
  for (const [k, v] of Object.entries(extra)) facts.push([k, typeof v === 'string' ? v : JSON.stringify(v)]);
  return facts;
}

async function readJsonObject(path: string): Promise<Record<string, unknown> | null> {
  const text = await readOptional(path);
  if (text === null) return null;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return { [basename(path)]: 'unreadable (not JSON)' };
  }
}

/** The spec's validity thresholds, for records written before runs were judged (else the defaults). */
function thresholdsOf(specText: string | null): ValidityThresholds {
  if (specText === null) return DEFAULT_VALIDITY;
  try {
    return parseSpecText('spec.yaml', specText).validity;
  } catch {
    return DEFAULT_VALIDITY;
  }
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
  const metaJson = await readJsonObject(join(abs, 'sweep.json'));
  const meta = metaJson === null ? null : (sweepMetaSchema.safeParse(metaJson).data ?? null);
  const extra = (await readJsonObject(join(abs, 'environment.json'))) ?? {};
  const specText = await readOptional(join(abs, 'spec.yaml'));
  const thresholds = thresholdsOf(specText);
  return {
    records,
    input: {
      title: `kos-test sweep ${meta?.sweepId ?? records[0]?.sweepId ?? basename(abs)}`,
      specText,
      environment: environmentOf(records, meta, extra),
      runs: records.map((r) => ({ ...r, validity: validityOfRecord(r, thresholds) })),
    },
  };
}
