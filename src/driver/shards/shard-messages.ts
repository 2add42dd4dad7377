/**
 * What a driver shard and the runner that started it tell each other over the node IPC channel:
 * one schema per direction, both sides import them, so nothing is read back from flags, log text
 * or files. The shard says `ready`; the runner answers with its orders (the whole drive: options
 * and target); the shard reports a late start, its summary, or its failure. A shard started
 * without a channel (by hand, as a Job) takes flags and sends nothing.
 */
import { z } from 'zod';
import { driveOptionsSchema } from '../drive-options.js';
import { driveSummarySchema } from '../drive-summary.js';
import { KosTestError } from '../../util/errors.js';
import { failedCheck } from '../../util/zod-error.js';

export const shardMessageSchema = z.discriminatedUnion('kind', [
  /** The shard listens for its orders (shardOrdersSchema). */
  z.object({ kind: z.literal('ready') }),
  /** The shard was set up after the shared start: its first ops were late by this much. */
  z.object({ kind: z.literal('late-start'), lateMs: z.number().nonnegative() }),
  /** The shard's summary, as it wrote it to its own directory. */
  z.object({ kind: z.literal('summary'), summary: driveSummarySchema }),
  /** The shard failed: the error's one-line text. */
  z.object({ kind: z.literal('failed'), message: z.string() }),
]);
export type ShardMessage = z.infer<typeof shardMessageSchema>;

/** The runner's one message to a shard: everything it drives with (its slice, seed and start included). */
export const shardOrdersSchema = z
  .object({
    kind: z.literal('drive'),
    kubeconfigPath: z.string().min(1),
    options: driveOptionsSchema,
  })
  .strict();
/** As the runner writes it (defaults left to the shard, as flags left them). */
export type ShardOrders = z.input<typeof shardOrdersSchema>;
export type ParsedShardOrders = z.output<typeof shardOrdersSchema>;

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

/** Checks the runner's orders: a bad one is one line naming the field (a runner and shard of different versions). */
export function parseShardOrders(raw: unknown): ParsedShardOrders {
  const result = shardOrdersSchema.safeParse(raw);
  if (result.success) return result.data;
  const f = failedCheck(result.error, raw);
  throw new KosTestError({
    what: `bad orders from the runner at ${f.dotted === '' ? 'the top level' : f.dotted}`,
    value: f.value === undefined ? undefined : JSON.stringify(f.value),
    fix: `${f.message}; run the runner and its shards from one kos-test install`,
  });
}

/**
 * Says `ready` to the parent and resolves with the orders it answers; rejects when there is no
 * channel or it closes first (the runner is gone).
 */
export function ordersFromParent(): Promise<ParsedShardOrders> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined || !process.connected) {
      reject(
        new KosTestError({
          what: '--orders-from-parent given, but no runner started this process with an IPC channel',
          fix: 'give the drive options as flags instead',
        }),
      );
      return;
    }
    const gone = (): void => {
      process.off('message', heard);
      reject(new KosTestError({ what: 'the runner closed the channel before sending its orders' }));
    };
    const heard = (raw: unknown): void => {
      process.off('disconnect', gone);
      try {
        resolve(parseShardOrders(raw));
      } catch (e: unknown) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    };
    process.once('message', heard);
    process.once('disconnect', gone);
    void tellParent({ kind: 'ready' });
  });
}
