/**
 * plan-prediction: eight cells, none of them a calibration cell, through the experiment runner on
 * the testbed; each run's measured cores over its cruise (total and per purpose, as calibrate
 * measures them) against what `experiment plan` predicted for it with this machine's cost model
 * (or the built-in one). Same-run ratios measured / predicted; target: within 25%.
 */
import { join } from 'node:path';
import { textTable } from '../src/util/text-table.js';
import { MODEL_PURPOSES, type ModelPurpose } from '../src/experiment/plan/capacity/cost-model.js';
import { halfFraction } from '../src/experiment/plan/capacity/calibration-plan.js';
import { runMeasuredSweep } from '../src/experiment/plan/capacity/measured-sweep.js';
import { DEFAULT_COST_MODEL_PATH, loadCostModel } from '../src/experiment/plan/capacity/model-file.js';
import { machineCpus } from '../src/experiment/target/local-machine.js';
import { measuredAndPredicted } from '../src/experiment/plan/capacity/predict.js';
import { runLoad } from '../src/experiment/plan/capacity/run-load.js';
import { planExperiment } from '../src/experiment/plan/plan.js';
import { parseSpecData } from '../src/experiment/spec/spec-load.js';
import { sweepIdOf } from '../src/experiment/store/sweep-id.js';
import type { BenchContext } from './benchmark.js';
import { check, type BenchReport, type Check, type Measure } from './report.js';

const TOLERANCE_PCT = 25;

/** Levels outside the calibration grid's (NCA 20/120, POP 2X/8X of 20, OPS 10/30, NNA 1/2). */
function specData(cruiseS: number): Record<string, unknown> {
  return {
    name: 'plan-prediction',
    X: 20,
    factors: { OPS: [15, 25], NCA: [40, 160], POP: ['3X', '6X'], NNA: [1, 3], NKA: [1] },
    cruise: cruiseS,
    driver: { numNets: 10, graceWait: '2s' },
    target: { kind: 'testbed' },
  };
}

const pct = (ratio: number): number => Math.abs(ratio - 1) * 100;

export async function runPlanPrediction(ctx: BenchContext): Promise<BenchReport> {
  const { model, note } = await loadCostModel(DEFAULT_COST_MODEL_PATH, machineCpus());
  ctx.log(note);
  const resolved = parseSpecData('plan-prediction', specData(ctx.options.seconds ?? 20));
  const plan = halfFraction(resolved, planExperiment(resolved));
  const sweepId = sweepIdOf('predict', Date.now());
  const runs = await runMeasuredSweep({
    resolved,
    plan,
    dir: join(ctx.workDir, `${sweepId}-${Date.now().toString(36)}`),
    sweepId,
    log: ctx.log,
    signal: new AbortController().signal,
  });
  const rows: string[][] = [];
  const measures: Measure[] = [];
  const checks: Check[] = [];
  const sums = new Map<ModelPurpose, { measured: number; predicted: number }>();
  for (const { run, etcd, record, observation } of runs) {
    const f = run.factors;
    const cell = `OPS ${f.OPS} NCA ${f.NCA} POP ${f.POP} NNA ${f.NNA}`;
    if (observation === undefined) {
      rows.push([cell, 'n/a', 'n/a', 'n/a', record.error ?? record.costsError ?? 'no measurement']);
      checks.push(check(`${cell}: total within ${TOLERANCE_PCT}%`, NaN, '<', TOLERANCE_PCT, '%', 1));
      continue;
    }
    const m = measuredAndPredicted(model, runLoad(run, model.events, etcd, 'cruise'), observation.cores);
    const ratio = m.total.measured / m.total.predicted;
    for (const [p, v] of Object.entries(m.byPurpose) as [
      ModelPurpose,
      { measured: number; predicted: number },
    ][]) {
      const s = sums.get(p) ?? { measured: 0, predicted: 0 };
      sums.set(p, { measured: s.measured + v.measured, predicted: s.predicted + v.predicted });
    }
    rows.push([
      cell,
      m.total.measured.toFixed(3),
      m.total.predicted.toFixed(3),
      ratio.toFixed(2),
      MODEL_PURPOSES.flatMap((p) => {
        const v = m.byPurpose[p];
        return v === undefined ? [] : [`${p} ${(v.measured / v.predicted).toFixed(2)}`];
      }).join(' '),
    ]);
    measures.push({ label: `${cell}: measured / predicted cores`, value: ratio, unit: 'x', digits: 2 });
    checks.push(check(`${cell}: total within ${TOLERANCE_PCT}%`, pct(ratio), '<', TOLERANCE_PCT, '%', 1));
  }
  for (const p of MODEL_PURPOSES) {
    const s = sums.get(p);
    if (s === undefined) continue;
    measures.push({
      label: `${p}: measured / predicted over all cells`,
      value: s.measured / s.predicted,
      unit: 'x',
      digits: 2,
    });
    checks.push(
      check(
        `${p}: all cells within ${TOLERANCE_PCT}%`,
        pct(s.measured / s.predicted),
        '<',
        TOLERANCE_PCT,
        '%',
        1,
      ),
    );
  }
  const summary = [
    note,
    textTable(
      ['cell', 'measured cores', 'predicted', 'ratio', 'ratio per purpose (measured / predicted)'],
      rows,
    ),
  ].join('\n');
  return {
    summary,
    measures,
    checks,
    details: {
      model,
      runs: runs.map((r) => ({ key: r.run.key, factors: r.run.factors, observation: r.observation })),
    },
  };
}
