/**
 * The cost model on disk, `<testbed state dir>/cost-model.json`, and this machine's facts it is
 * matched against: a missing file, or one measured on another machine, means the built-in model.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_TESTBED_DIR } from '../../../testbed/supervisor/testbed-state.js';
import { writeFileAtomic } from '../../../util/atomic-write.js';
import { parseChecked } from '../../../util/zod-error.js';
import { KosTestError, toError } from '../../../util/errors.js';
import type { MachineCpus } from '../../target/local-machine.js';
import { costModelSchema, type CostModel } from './cost-model.js';
import { defaultCostModel } from './default-model.js';

export const COST_MODEL_FILE = 'cost-model.json';
export const DEFAULT_COST_MODEL_PATH = join(DEFAULT_TESTBED_DIR, COST_MODEL_FILE);

export interface LoadedModel {
  model: CostModel;
  /** Where the model came from, for the plan's output. */
  note: string;
}

export async function loadCostModel(path: string, machine: MachineCpus): Promise<LoadedModel> {
  const fallback = (why: string): LoadedModel => ({
    model: defaultCostModel({ ...machine, measuredAt: 'built in' }),
    note: `built-in default cost model (${why}; kos-test testbed calibrate measures this machine)`,
  });
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return fallback(`no ${path}`);
    throw new KosTestError({ what: 'cannot read the cost model', value: `${path}: ${toError(e).message}` });
  }
  const notAModel = (why: string, cause?: unknown): KosTestError =>
    new KosTestError({
      what: 'not a cost model',
      value: `${path}: ${why}`,
      fix: 'run kos-test testbed calibrate again, or delete the file to use the built-in model',
      cause,
    });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e: unknown) {
    throw notAModel(toError(e).message, e);
  }
  const model: CostModel = parseChecked(costModelSchema, json, (f) =>
    notAModel(`${f.path === '' ? '' : `${f.path}: `}${f.message.replace(/^Invalid input: /, '')}`),
  );
  const m = model.machine;
  if (m.cores !== machine.cores || m.modelName !== machine.modelName)
    return fallback(
      `${path} was measured on ${m.cores} x ${m.modelName}, not this ${machine.cores} x ${machine.modelName}`,
    );
  return { model, note: `cost model calibrated on this machine at ${m.measuredAt} (${path})` };
}

export async function writeCostModel(path: string, model: CostModel): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(model, null, 2)}\n`);
}
