/**
 * A sweep directory: the spec as run (spec.yaml, sweep.json with its hash and seed), the
 * append-only results.jsonl (one fsynced line per finished run), results.csv regenerated
 * atomically from it (the latest record of each run), and runs/<runId>/ with a started-marker and
 * the run's outputs. A crash loses at most the run in progress: its marker has no record, so
 * --resume re-does it. A run done again (interrupted, or retried) appends a new record; the old
 * one stays in results.jsonl and its directory in runs/.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { KosTestError, toError } from '../../util/errors.js';
import { parseChecked } from '../../util/zod-error.js';
import { latestPerKey, parseResultsJsonl, RESULTS_FILE } from './results-jsonl.js';
import { resultsCsv } from './results-csv.js';
import { runRecordSchema, type RunRecord } from './run-record.js';
import { canonicalJson, specDiff } from '../spec/spec-diff.js';
import { readSweepMeta, SWEEP_META_FILE, type SweepMeta } from './sweep-meta.js';
import type { ExperimentSpec } from '../spec/spec-schema.js';

const markerSchema = z.object({
  key: z.string(),
  runId: z.string(),
  attempt: z.number().int(),
  startedMs: z.number(),
});
export type StartedMarker = z.infer<typeof markerSchema>;

export function specHash(spec: ExperimentSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 16);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export class ResultsStore {
  private recs: RunRecord[];

  private constructor(
    readonly dir: string,
    readonly meta: SweepMeta,
    /** Every record appended, superseded attempts too, in order. */
    private readonly history: RunRecord[],
    private readonly markers: StartedMarker[],
  ) {
    this.recs = latestPerKey(history);
  }

  get jsonlPath(): string {
    return join(this.dir, RESULTS_FILE);
  }
  get csvPath(): string {
    return join(this.dir, 'results.csv');
  }
  runDir(runId: string): string {
    return join(this.dir, 'runs', runId);
  }

  /** Starts a new sweep; refuses a directory that already holds one (that is what --resume is for). */
  static async create(opts: {
    dir: string;
    specText: string;
    spec: ExperimentSpec;
    sweepId: string;
    seed: number | null;
    nowMs: number;
  }): Promise<ResultsStore> {
    if (await exists(join(opts.dir, SWEEP_META_FILE))) {
      throw new KosTestError({
        what: 'the output directory already holds a sweep',
        value: opts.dir,
        fix: 'add --resume to continue it, or give another --out',
      });
    }
    const meta: SweepMeta = {
      schema: 'kos-test/sweep/v1',
      sweepId: opts.sweepId,
      specHash: specHash(opts.spec),
      spec: opts.spec,
      seed: opts.seed,
      createdMs: opts.nowMs,
    };
    await mkdir(join(opts.dir, 'runs'), { recursive: true });
    await writeFileAtomic(join(opts.dir, 'spec.yaml'), opts.specText);
    await writeFile(join(opts.dir, RESULTS_FILE), '', { flag: 'a' });
    await writeFileAtomic(join(opts.dir, 'results.csv'), resultsCsv([]));
    // sweep.json last: a directory without it is no sweep, so a crash here leaves nothing to resume.
    await writeFileAtomic(join(opts.dir, SWEEP_META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
    return new ResultsStore(opts.dir, meta, [], []);
  }

  /** Opens a sweep to resume it; refuses one whose spec differs from the given one, showing how. */
  static async open(opts: { dir: string; spec: ExperimentSpec }): Promise<ResultsStore> {
    const metaPath = join(opts.dir, SWEEP_META_FILE);
    if (!(await exists(metaPath))) {
      throw new KosTestError({
        what: 'no sweep to resume in',
        value: opts.dir,
        fix: 'drop --resume to start one',
      });
    }
    const meta = await readSweepMeta(metaPath);
    if (meta.specHash !== specHash(opts.spec)) {
      const diff = specDiff(meta.spec, opts.spec);
      throw new KosTestError({
        what: 'the spec changed since the sweep began',
        value: diff.join('; '),
        fix: `run the spec as it was (${join(opts.dir, 'spec.yaml')}), or start a new sweep with another --out`,
      });
    }
    const history = await readRecords(join(opts.dir, RESULTS_FILE));
    const markers = await readMarkers(join(opts.dir, 'runs'));
    const store = new ResultsStore(opts.dir, meta, history, markers);
    await store.writeCsv();
    return store;
  }

  /** The latest record of each run (a retried run's last attempt). */
  records(): readonly RunRecord[] {
    return this.recs;
  }

  /** Keys recorded (completed or failed): skipped on resume. */
  recordedKeys(): Set<string> {
    return new Set(this.recs.map((r) => r.key));
  }

  /**
   * Markers of runs whose objects may still be in the target: an attempt started and never
   * recorded (a crash), or recorded interrupted before its clean-up.
   */
  interrupted(): StartedMarker[] {
    const byRunId = new Map(this.history.map((r) => [r.runId, r]));
    const latest = new Map(this.recs.map((r) => [r.key, r]));
    return this.markers.filter((m) => {
      const r = byRunId.get(m.runId);
      if (r !== undefined) return r.status === 'interrupted' && r.timing.cleanupMs === null;
      // No record of this attempt: a crash during it (a later attempt than any recorded).
      return m.attempt > (latest.get(m.key)?.attempt ?? -1);
    });
  }

  /** The next attempt number of a key (0 when never started). */
  nextAttempt(key: string): number {
    return this.markers.filter((m) => m.key === key).length;
  }

  async markStarted(marker: StartedMarker): Promise<void> {
    await mkdir(this.runDir(marker.runId), { recursive: true });
    await writeFileAtomic(join(this.runDir(marker.runId), 'started.json'), `${JSON.stringify(marker)}\n`);
    this.markers.push(marker);
  }

  /** Appends one record durably (write + fsync), then regenerates results.csv. */
  async append(record: RunRecord): Promise<void> {
    const line = `${JSON.stringify(runRecordSchema.parse(record))}\n`;
    const fh = await open(this.jsonlPath, 'a');
    try {
      await fh.write(line);
      await fh.sync();
    } finally {
      await fh.close();
    }
    this.history.push(record);
    this.recs = latestPerKey(this.history);
    await this.writeCsv();
  }

  private async writeCsv(): Promise<void> {
    await writeFileAtomic(this.csvPath, resultsCsv(this.recs));
  }
}

/** Reads every record of results.jsonl, cutting off a torn last line (a crash mid-append). */
async function readRecords(path: string): Promise<RunRecord[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const { history, tornBytes } = parseResultsJsonl(text, path);
  if (tornBytes > 0) await truncate(path, Buffer.byteLength(text) - tornBytes);
  return history;
}

async function readMarkers(runsDir: string): Promise<StartedMarker[]> {
  const names = await readdir(runsDir).catch(() => []);
  const out: StartedMarker[] = [];
  for (const name of names) {
    const text = await readFile(join(runsDir, name, 'started.json'), 'utf8').catch(() => undefined);
    if (text !== undefined) out.push(parseMarker(text, join(runsDir, name, 'started.json')));
  }
  return out;
}

function parseMarker(text: string, path: string): StartedMarker {
  const corrupt = (why: string): KosTestError =>
    new KosTestError({
      what: "a run's start marker is unreadable",
      value: `${path}: ${why}`,
      fix: 'delete that run directory; --resume then re-does the run',
    });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e: unknown) {
    throw corrupt(toError(e).message);
  }
  return parseChecked(markerSchema, json, (f) => corrupt(`${f.dotted}: ${f.message}`));
}
