/**
 * What a driver shard tells the runner that started it, over the node IPC channel: one schema
 * both sides import, so nothing is read back from log text or files. A shard started without a
 * channel (by hand, as a Job) sends nothing.
 */
import { z } from 'zod';
import { driveSummarySchema } from '../drive-summary.js';

export const shardMessageSchema = z.discriminatedUnion('kind', [
  /** The shard was set up after the shared start: its first ops were late by this much. */
  z.object({ kind: z.literal('late-start'), lateMs: z.number().nonnegative() }),
  /** The shard's summary, as it wrote it to its own directory. */
  z.object({ kind: z.literal('summary'), summary: driveSummarySchema }),
  /** The shard failed: the error's one-line text. */
  z.object({ kind: z.literal('failed'), message: z.string() }),
]);
export type ShardMessage = z.infer<typeof shardMessageSchema>;

/** Sends one message to the parent when there is a channel; resolves once it is handed over. */
export function tellParent(message: ShardMessage): Promise<void> {
  const send = process.send?.bind(process);
  if (send === undefined || !process.connected) return Promise.resolve();
  return new Promise((resolve) => {
    // A parent gone meanwhile is not this shard's failure: its outputs are on disk.
    send(message, undefined, {}, () => {
      resolve();
    });
  });
}
