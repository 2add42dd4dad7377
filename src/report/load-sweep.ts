/**
 * Reads a sweep directory (spec.yaml, results.jsonl, optional environment.json) into the report's
 * input, with the one results reader (results-jsonl.ts): a bad line stops the report with its line
 * number; a run recorded twice counts once, as its last record.
 */
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseResultsJsonl, RESULTS_FILE } from '../experiment/store/results-jsonl.js';
import type { RunRecord } from '../experiment/store/run-record.js';
import { parseSpecText } from '../experiment/spec/spec-load.js';
import { SWEEP_META_FILE, sweepMetaView, type SweepMetaView } from '../experiment/store/sweep-meta.js';
import { SELFTEST_FILE, selftestReportSchema, type SelftestReport } from '../selftest/check-result.js';
import { DEFAULT_VALIDITY, type ValidityThresholds } from '../experiment/verdict/validity.js';
import { validityOfRecord } from '../experiment/verdict/verdict.js';
import { KosTestError } from '../util/errors.js';
import type { SweepInput } from './model/report-run.js';
import { timelineIn } from './fault-files.js';

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (e: unknown) {
    // ENOTDIR: a part of the path is a file, so there is no such file either.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw e;
  }
}

/** Facts about the sweep from its records, sweep.json and (when the runner wrote one) environment.json. */
function environmentOf(
  records: readonly RunRecord[],
  meta: SweepMetaView | null,
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

/** The selftest results `experiment run` wrote, null when none ran; a bad file is said, not skipped. */
async function readSelftest(path: string): Promise<SelftestReport | null> {
  const text = await readOptional(path);
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = selftestReportSchema.safeParse(json);
  if (!parsed.success) {
    throw new KosTestError({
      what: `bad selftest results in ${path}`,
      value: parsed.error.issues[0]?.message,
      fix: 'the file is not kos-test/selftest/v1; delete it or re-run the sweep with selftest: true',
    });
  }
  return parsed.data;
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

/** Reads results.jsonl: the latest record of each run. */
async function readRecords(abs: string): Promise<RunRecord[]> {
  const resultsPath = join(abs, RESULTS_FILE);
  const text = await readOptional(resultsPath);
  if (text === null)
    throw new KosTestError({
      what: 'not a sweep directory (no results.jsonl)',
      value: abs,
      fix: 'give the directory `kos-test experiment` wrote, or use --run <dir> for one driver run',
    });
  // A torn last line is a run still being recorded: the report shows the runs before it.
  return parseResultsJsonl(text, resultsPath).records;
}

/**
 * The report's input from a sweep directory; `held` are its records as the runner holds them
 * (the latest of each run), so results.jsonl is not read again after every run.
 */
export async function loadSweep(dir: string, held?: readonly RunRecord[]): Promise<LoadedSweep> {
  const abs = resolve(dir);
  const records = held === undefined ? await readRecords(abs) : [...held];
  const meta = sweepMetaView(await readJsonObject(join(abs, SWEEP_META_FILE)));
  const extra = (await readJsonObject(join(abs, 'environment.json'))) ?? {};
  const specText = await readOptional(join(abs, 'spec.yaml'));
  const thresholds = thresholdsOf(specText);
  return {
    records,
    input: {
      title: `kos-test sweep ${meta?.sweepId ?? records[0]?.sweepId ?? basename(abs)}`,
      specText,
      environment: environmentOf(records, meta, extra),
      selftest: await readSelftest(join(abs, SELFTEST_FILE)),
      runs: await Promise.all(
        records.map(async (r) => ({
          ...r,
          validity: validityOfRecord(r, thresholds),
          ...(r.drive?.faults === undefined
            ? {}
            : { timeline: await timelineIn(join(abs, r.dir), r.drive.cruise.window) }),
        })),
      ),
    },
  };
}
