/**
 * Attachments a run could not delete (pure): every retry of their delete failed, so they stay on
 * the target with their IPLocks. The summary names them and the command that removes them, and
 * the run does not count as completed while they remain (issue 21).
 */
import { STATE_DELETE_FAILED, type AttachmentBook } from './attachment-book.js';
import { attachmentName, type DrivePlan } from './plan/drive-plan.js';
import type { DriveSummary } from './drive-summary.js';

/** Names listed in the summary; the count covers them all. */
const NAMES_SHOWN = 20;

export function leftoversOf(
  book: AttachmentBook,
  plan: DrivePlan,
  runId: string,
): NonNullable<DriveSummary['leftovers']> | undefined {
  const names: string[] = [];
  for (let i = 0; i < book.size; i++)
    if (book.has(i, STATE_DELETE_FAILED)) names.push(attachmentName(plan, book.ids[i] ?? 0));
  if (names.length === 0) return undefined;
  return {
    attachments: names.length,
    names: names.slice(0, NAMES_SHOWN),
    cleanup: `kos-test cleanup --runid ${runId}`,
  };
}

/** A run with leftovers ended in failure, however its schedule went. */
export function endingWith(
  ending: DriveSummary['ending'],
  leftovers: DriveSummary['leftovers'],
): DriveSummary['ending'] {
  return leftovers === undefined ? ending : 'failed';
}

/** The shards' leftovers as one run's (a merged summary). */
export function mergeLeftovers(parts: readonly DriveSummary[]): Pick<DriveSummary, 'leftovers'> {
  const all = parts.flatMap((p) => (p.leftovers === undefined ? [] : [p.leftovers]));
  const first = all[0];
  if (first === undefined) return {};
  return {
    leftovers: {
      attachments: all.reduce((n, l) => n + l.attachments, 0),
      names: all.flatMap((l) => l.names).slice(0, NAMES_SHOWN),
      cleanup: first.cleanup,
    },
  };
}
