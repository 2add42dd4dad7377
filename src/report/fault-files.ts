/**
 * A fault run's files as the reports read them: its faults.json (ADR 0030) and its fulfilment
 * latency over the cruise from the per-attachment rows beside it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readFulfilments } from '../experiment/faults/fault-analysis.js';
import { FAULTS_FILE } from '../experiment/faults/drive-with-faults.js';
import { faultRunSchema, type FaultRun } from '../measure/fault-record.js';
import { KosTestError } from '../util/errors.js';
import { timelineOf } from './model/fault-model.js';
import type { TimelinePoint } from './model/report-run.js';

const absent = (e: unknown): boolean => (e as NodeJS.ErrnoException).code === 'ENOENT';

/** A fault run's latency over its cruise, from its per-attachment rows; undefined when they are gone. */
export async function timelineIn(
  runDir: string,
  cruise: { startMs: number; endMs: number },
): Promise<TimelinePoint[] | undefined> {
  try {
    return timelineOf(await readFulfilments(runDir), cruise);
  } catch (e: unknown) {
    if (absent(e)) return undefined;
    throw e;
  }
}

/** The run directory's faults.json; undefined when the run had no fault. */
export async function readFaultRun(runDir: string): Promise<FaultRun | undefined> {
  const path = join(runDir, FAULTS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e: unknown) {
    if (absent(e)) return undefined;
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = faultRunSchema.safeParse(json);
  if (!parsed.success)
    throw new KosTestError({
      what: `not a kos-test ${FAULTS_FILE}`,
      value: path,
      fix: 'remove it (the report then shows no faults) or run kos-test drive --fault again',
    });
  return parsed.data;
}
