/**
 * `sweep.json`, a sweep directory's identity: written once when the sweep starts, read by
 * `--resume` (strictly: a corrupt file is named in one line) and by the report (leniently: a
 * missing or foreign file only loses the environment lines it would give).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { KosTestError, toError } from '../../util/errors.js';
import { parseChecked } from '../../util/zod-error.js';

export const SWEEP_META_FILE = 'sweep.json';

export const sweepMetaSchema = z.object({
  schema: z.literal('kos-test/sweep/v1'),
  sweepId: z.string(),
  specHash: z.string(),
  /** The parsed spec (defaults filled), to show what changed when a resume is refused. */
  spec: z.unknown(),
  seed: z.number().int().nullable(),
  createdMs: z.number(),
});
export type SweepMeta = z.infer<typeof sweepMetaSchema>;

/** The sweep's meta, or a one-line error naming the file and the fix. */
export async function readSweepMeta(path: string): Promise<SweepMeta> {
  const corrupt = (why: string): KosTestError =>
    new KosTestError({
      what: `${SWEEP_META_FILE} of the sweep is unreadable`,
      value: `${path}: ${why}`,
      fix: 'restore it from a copy, or start a new sweep with another --out',
    });
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e: unknown) {
    throw corrupt(toError(e).message);
  }
  return parseChecked(sweepMetaSchema, json, (f) => corrupt(`${f.dotted}: ${f.message}`));
}

/** What a report needs of sweep.json: read leniently, from a sweep of any age or a fixture. */
const sweepMetaViewSchema = sweepMetaSchema
  .pick({ sweepId: true, seed: true, createdMs: true })
  .partial({ seed: true, createdMs: true });
export type SweepMetaView = z.infer<typeof sweepMetaViewSchema>;

/** The identity a report shows when sweep.json has it, else null. */
export function sweepMetaView(json: unknown): SweepMetaView | null {
  return sweepMetaViewSchema.safeParse(json).data ?? null;
}
