/**
 * A lone `kos-test drive` against the testbed of `--testbed-dir` asks its supervisor, once the
 * drive ended, which processes crashed meanwhile, so the run's validity can name an unplanned
 * restart (ADR 0035). Another target (a cluster, another testbed): not known, nothing judged.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { processCrashSchema, type ProcessCrash } from '../../measure/process-crash.js';
import { readTestbedState } from '../../testbed/supervisor/testbed-state.js';
import { toError } from '../../util/errors.js';
import { control } from './testbed-lifecycle.js';

const statusCrashesSchema = z.object({ crashes: z.array(processCrashSchema) });

/** Undefined when the drive did not run against this testbed, or its supervisor cannot tell. */
export async function testbedCrashes(
  testbedDir: string,
  target: { kubeconfigPath: string } | object,
  log: (m: string) => void,
): Promise<ProcessCrash[] | undefined> {
  if (!('kubeconfigPath' in target)) return undefined;
  const state = await readTestbedState(testbedDir).catch(() => undefined);
  if (state === undefined || resolve(state.kubeconfig) !== resolve(target.kubeconfigPath)) return undefined;
  try {
    const parsed = statusCrashesSchema.safeParse(await control(testbedDir, 'GET', '/status'));
    if (parsed.success) return parsed.data.crashes;
    log(`the testbed's status lists no crashes (an older supervisor?): restarts during the run not judged`);
  } catch (e: unknown) {
    log(
      `could not ask the testbed which processes crashed: ${toError(e).message}; restarts during the run not judged`,
    );
  }
  return undefined;
}
