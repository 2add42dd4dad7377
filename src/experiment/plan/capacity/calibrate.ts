/**
 * `kos-test testbed calibrate`: drives the calibration runs on a testbed it brings up and takes
 * down, fits the cost model to what they measured, and stores it in the testbed state directory.
 */
import { join } from 'node:path';
import { KosTestError } from '../../../util/errors.js';
import { planExperiment } from '../plan.js';
import { parseSpecData } from '../../spec/spec-load.js';
import { sweepIdOf } from '../../store/sweep-id.js';
import { calibrationSpecData, halfFraction, type CalibrationSize } from './calibration-plan.js';
import type { CostModel } from './cost-model.js';
import { defaultCostModel } from './default-model.js';
import { fitCostModel } from './fit-model.js';
import { runMeasuredSweep, type MeasuredRun } from './measured-sweep.js';
import { machineCpus } from '../../target/local-machine.js';
import { COST_MODEL_FILE, writeCostModel } from './model-file.js';

export interface CalibrateOptions extends CalibrationSize {
  /** Testbed state directory: the model goes to <dir>/cost-model.json, the runs to <dir>/calibration/. */
  dir: string;
  log: (m: string) => void;
  signal: AbortSignal;
  now?: () => number;
}

export interface Calibration {
  model: CostModel;
  path: string;
  sweepDir: string;
  runs: MeasuredRun[];
}

export async function calibrate(o: CalibrateOptions): Promise<Calibration> {
  const now = o.now ?? Date.now;
  const resolved = parseSpecData('calibration', calibrationSpecData(o));
  const plan = halfFraction(resolved, planExperiment(resolved));
  const sweepId = sweepIdOf('calibrate', now());
  const sweepDir = join(o.dir, 'calibration', `${sweepId}-${now().toString(36)}`);
  o.log(`${plan.runs.length} calibration runs, ~${Math.round(plan.totalS / 60)} min; outputs in ${sweepDir}`);
  const runs = await runMeasuredSweep({
    resolved,
    plan,
    dir: sweepDir,
    sweepId,
    log: o.log,
    signal: o.signal,
  });
  const observations = runs.flatMap((r) => (r.observation === undefined ? [] : [r.observation]));
  if (observations.length < 2) {
    throw new KosTestError({
      what: 'too few calibration runs measured anything to fit a model',
      value: `${observations.length} of ${runs.length}: ${runs.map((r) => r.record.error ?? r.record.costsError ?? 'ok').join('; ')}`,
      fix: `see ${sweepDir}`,
    });
  }
  const machine = { ...machineCpus(), measuredAt: new Date(now()).toISOString() };
  const model = fitCostModel(observations, defaultCostModel(machine), machine);
  const path = join(o.dir, COST_MODEL_FILE);
  await writeCostModel(path, model);
  return { model, path, sweepDir, runs };
}
