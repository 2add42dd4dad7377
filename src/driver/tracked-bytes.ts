/**
 * Bytes the driver holds per tracked attachment: the attachment book plus the plan's typed
 * arrays (the book shares its id array with the plan's shard slice, so it is counted once).
 * The memory target (<= 100 bytes at 1,000,000 tracked) is checked in bench/ with this.
 */
import type { AttachmentBook } from './attachment-book.js';
import { planBytes, type DrivePlan } from './plan/drive-plan.js';

export interface TrackedBytes {
  book: number;
  plan: number;
  total: number;
}

export function trackedBytesPerAttachment(plan: DrivePlan, book: AttachmentBook): TrackedBytes {
  const n = Math.max(1, book.size);
  const shared = book.ids === plan.mine.attachments ? book.ids.byteLength : 0;
  const bookBytes = book.bytes() - shared;
  const planB = planBytes(plan);
  return { book: bookBytes / n, plan: planB / n, total: (bookBytes + planB) / n };
}
