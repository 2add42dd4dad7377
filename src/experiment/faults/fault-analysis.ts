/**
 * A fault run's record: the injected faults joined with their recovery and affected attachments
 * (recovery.ts), from the driver's per-attachment rows (attachments.csv[.gz] of the run).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { OUTPUT_FILES } from '../../driver/outputs.js';
import type { FaultRun } from '../../measure/fault-record.js';
import { analyseFaults, RECOVERY_RUN, type Fulfilment } from '../../measure/recovery.js';
import { parseCsv } from '../../util/csv.js';
import type { FaultDraft } from './fault-campaign.js';

/** Rows of attachments.csv as fulfilments (pure); an empty readyMs is NaN (not fulfilled). */
export function fulfilmentsOf(csv: string): Fulfilment[] {
  return parseCsv(csv).map((r) => ({
    name: r.name ?? '',
    plannedMs: Number(r.plannedMs),
    readyMs: (r.readyMs ?? '') === '' ? Number.NaN : Number(r.readyMs),
  }));
}

/** The run directory's attachments.csv.gz (a sweep's) or attachments.csv (a drive's). */
export async function readFulfilments(dir: string): Promise<Fulfilment[]> {
  const gz = await readFile(join(dir, OUTPUT_FILES.attachmentsGz)).catch(() => undefined);
  const text =
    gz === undefined
      ? await readFile(join(dir, OUTPUT_FILES.attachments), 'utf8')
      : gunzipSync(gz).toString('utf8');
  return fulfilmentsOf(text);
}

export function faultRunOf(
  scenario: string,
  drafts: readonly FaultDraft[],
  rows: readonly Fulfilment[],
  cruise: { startMs: number; endMs: number },
): FaultRun {
  const a = analyseFaults(rows, cruise, drafts, RECOVERY_RUN);
  const failed = drafts.filter((d) => d.error !== null);
  const note =
    drafts.length === 0
      ? 'no fault was planned inside the cruise'
      : failed.length > 0
        ? `${failed.length} of ${drafts.length} faults not injected (${failed[0]?.error ?? ''}); ${a.note}`
        : a.note;
  return {
    scenario,
    baselineP99Ms: a.baselineP99Ms,
    baselineCount: a.baselineCount,
    recoveryRun: RECOVERY_RUN,
    events: drafts.map((d, k) => {
      const e = a.events[k];
      return {
        ...d,
        recoveryMs: e?.recoveryMs ?? null,
        recoveredAtMs: e?.recoveredAtMs ?? null,
        affected: e?.affected ?? { delayed: 0, neverFulfilled: 0, names: [] },
      };
    }),
    recoveryMs: a.recoveryMs,
    recoveryMeasurable: a.recoveryMeasurable && failed.length === 0 && drafts.length > 0,
    note,
  };
}
