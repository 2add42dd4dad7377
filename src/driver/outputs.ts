/**
 * The run directory <out>/<runid>/: summary.json, the size and outline CSVs, driver.metrics,
 * and optionally attachments.csv (one row per attachment) and attachments-ops-times.csv. Every
 * file is written atomically, so a reader never sees half of one.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { csvText, type CsvCell } from '../util/csv.js';
import type { AttachmentBook } from './attachment-book.js';
import type { DriveSummary } from './drive-summary.js';
import { attachmentName, type DrivePlan } from './plan/drive-plan.js';
import { OP_CREATE } from './plan/op-plan.js';
import { outlineCsv, sizeCsv } from './plan/size-csv.js';
import { outcomeOf } from './summary.js';

export const OUTPUT_FILES = {
  summary: 'summary.json',
  sizes: 'vn-sizes.csv',
  outline: 'vn-sizes-outline.csv',
  metrics: 'driver.metrics',
  attachments: 'attachments.csv',
  opsTimes: 'attachments-ops-times.csv',
} as const;

export async function writeSizeCsvs(dir: string, sizes: readonly number[]): Promise<void> {
  await writeFileAtomic(join(dir, OUTPUT_FILES.sizes), sizeCsv(sizes));
  await writeFileAtomic(join(dir, OUTPUT_FILES.outline), outlineCsv(sizes));
}

export async function writeSummary(dir: string, summary: DriveSummary): Promise<void> {
  await writeFileAtomic(join(dir, OUTPUT_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);
}

const ATTACHMENTS_CSV_HEADER = [
  'name',
  'node',
  'phase',
  'outcome',
  'plannedMs',
  'sentMs',
  'createdMs',
  'addressedMs',
  'readyMs',
  'brokenMs',
  'serverImplMs',
];

/** One row per tracked attachment; times are driver wall-clock epoch ms (empty = never). */
export function attachmentsCsv(
  plan: DrivePlan,
  book: AttachmentBook,
  nodes: readonly string[],
  wallOf: (mono: number) => number,
  graceMs: number,
): string {
  const rows: CsvCell[][] = [];
  const t = (v: number | undefined, wall = true): string =>
    v === undefined || Number.isNaN(v) ? '' : (wall ? wallOf(v) : v).toFixed(3);
  const phases = ['warmup', 'cruise', 'cooldown'];
  for (let i = 0; i < book.size; i++) {
    const outcome = outcomeOf(book, i, graceMs);
    if (outcome === 'notAttempted') continue;
    rows.push([
      attachmentName(plan, book.ids[i] ?? 0),
      nodes[book.node[i] ?? 0] ?? '',
      phases[book.phaseOf(i)],
      outcome,
      t(book.plannedOf(i)),
      t(book.sent[i]),
      t(book.created[i]),
      t(book.addressed[i]),
      t(book.ready[i]),
      t(book.broken[i]),
      t(book.serverImpl[i], false),
    ]);
  }
  return csvText(ATTACHMENTS_CSV_HEADER, rows);
}

/** The original's `op,thd,dt` (thd = shard; dt = seconds after the start), one row per planned op. */
export function opsTimesCsv(plan: DrivePlan): string {
  const rows: string[][] = [];
  for (const k of plan.mine.ops) {
    const kind = plan.seq.kind[k] === OP_CREATE ? 'create' : 'delete';
    rows.push([kind, String(plan.shard.index), ((plan.due[k] ?? 0) / 1000).toFixed(6)]);
  }
  return csvText(['op', 'thd', 'dt'], rows);
}
