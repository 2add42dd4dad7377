/**
 * The one reader of a sweep's `results.jsonl` (pure): one run record per line. A last line with
 * no newline is a crash mid-append, not data: it is set apart for the store to cut off. A run
 * recorded twice (same key) counts once, as its last record.
 */
import { KosTestError } from '../../util/errors.js';
import { parseChecked } from '../../util/zod-error.js';
import { runRecordSchema, type RunRecord } from './run-record.js';

export const RESULTS_FILE = 'results.jsonl';

export interface ResultsFile {
  /** The latest record of each key, in the order of those latest records. */
  records: RunRecord[];
  /** Every record in file order, superseded attempts too (what was tried, for audit). */
  history: RunRecord[];
  /** The bytes of a torn last line (0 when the file ends with a newline). */
  tornBytes: number;
}

export function parseResultsJsonl(text: string, path: string): ResultsFile {
  const end = text.lastIndexOf('\n') + 1;
  const history: RunRecord[] = [];
  text
    .slice(0, end)
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() !== '') history.push(parseLine(line, i + 1, path));
    });
  return { records: latestPerKey(history), history, tornBytes: Buffer.byteLength(text.slice(end)) };
}

/** The last record of each key, in the order of those last records (pure). */
export function latestPerKey(history: readonly RunRecord[]): RunRecord[] {
  const byKey = new Map<string, RunRecord>();
  for (const record of history) {
    byKey.delete(record.key);
    byKey.set(record.key, record);
  }
  return [...byKey.values()];
}

function parseLine(line: string, lineNo: number, path: string): RunRecord {
  const bad = (value: string): KosTestError =>
    new KosTestError({
      what: `bad results line ${lineNo} in ${path}`,
      value,
      fix: 'the line is not a kos-test/run-record/v1 record: remove or repair it (a resume re-does that run)',
    });
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw bad(line.length > 80 ? `${line.slice(0, 77)}...` : line);
  }
  return parseChecked(runRecordSchema, json, (f) => bad(`${f.dotted}: ${f.message}`));
}
