/**
 * `<dir>/testbed.json`: how other kos-test commands find a running testbed's supervisor (its
 * PID and control URL), its kubeconfig and its Prometheus. (What a dead supervisor leaves is
 * found through Testbed.leftoversFile.)
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { KosTestError } from '../../util/errors.js';
import { parseChecked } from '../../util/zod-error.js';

export const testbedStateSchema = z.object({
  pid: z.number().int(),
  controlUrl: z.url(),
  startedAt: z.string(),
  kubeconfig: z.string(),
  /** The testbed's Prometheus (absent when turned off). */
  prometheus: z.object({ url: z.url() }).optional(),
});

export type TestbedState = z.infer<typeof testbedStateSchema>;

/** The state directory of `kos-test testbed ...` when --dir is not given. */
export const DEFAULT_TESTBED_DIR = '.kos-test/testbed';

export function stateFile(dir: string): string {
  return join(dir, 'testbed.json');
}

export async function readTestbedState(dir: string): Promise<TestbedState | undefined> {
  let text: string;
  try {
    text = await readFile(stateFile(dir), 'utf8');
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return parseChecked(
    testbedStateSchema,
    (() => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    })(),
    (f) =>
      new KosTestError({
        what: 'the testbed state file is unreadable',
        value: `${stateFile(dir)}: ${f.dotted === '' ? f.message : `${f.dotted}: ${f.message}`}`,
        fix: `run kos-test testbed down --dir ${dir} (it stops what it can), or delete the file`,
      }),
  );
}

export async function writeTestbedState(dir: string, state: TestbedState): Promise<void> {
  await writeFileAtomic(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`);
}

export async function removeTestbedState(dir: string): Promise<void> {
  await rm(stateFile(dir), { force: true });
}
