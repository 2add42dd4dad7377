/**
 * `kos-test testbed calibrate [--dir DIR] [--quick] [--cruise SECONDS]`: measures this machine's
 * testbed cost model (ADR 0019) and stores it where `experiment plan` and `run` find it.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { calibrate } from '../../experiment/plan/capacity/calibrate.js';
import { MODEL_PURPOSES } from '../../experiment/plan/capacity/cost-model.js';
import { measuredAndPredicted } from '../../experiment/plan/capacity/predict.js';
import { runLoad } from '../../experiment/plan/capacity/run-load.js';
import { installExitHandlers } from '../exit.js';
import { DEFAULT_TESTBED_DIR } from '../../testbed/supervisor/testbed-state.js';
import { costModelText } from '../cost-model-text.js';
import { intOption } from '../options.js';
import { textTable } from '../../util/text-table.js';

export function registerTestbedCalibrate(testbed: Command): void {
  testbed
    .command('calibrate')
    .description(
      "Measure this machine's testbed CPU cost model (a few short runs on a testbed it brings up and takes down, ~6 min; --quick ~1 min) and store it as <dir>/cost-model.json for experiment plan and run.",
    )
    .option(
      '--dir <dir>',
      'testbed state directory (the model and calibration/ go here)',
      DEFAULT_TESTBED_DIR,
    )
    .option('--quick', 'four tiny runs (NCA 5-15, 4 s cruise): a rough model, for tests')
    .option('--cruise <seconds>', 'cruise seconds of each run (default 20, --quick 4)')
    .action(async (o: { dir: string; quick?: boolean; cruise?: string }) => {
      installExitHandlers();
      const t0 = Date.now();
      const log = (m: string): void => {
        console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${m}`);
      };
      const result = await calibrate({
        dir: resolve(o.dir),
        quick: o.quick === true,
        cruiseS: o.cruise === undefined ? undefined : intOption('--cruise', o.cruise, 2, 3600),
        log,
        signal: new AbortController().signal,
      });
      console.log(costModelText(result.model));
      const rows = result.runs.map(({ run, etcd, record, observation }) => {
        const f = run.factors;
        const head = [run.key, String(f.OPS), String(f.NCA), String(f.POP), String(f.NNA)];
        if (observation === undefined)
          return [...head, 'n/a', 'n/a', record.error ?? record.costsError ?? ''];
        const m = measuredAndPredicted(
          result.model,
          runLoad(run, result.model.events, etcd, 'cruise'),
          observation.cores,
        );
        return [
          ...head,
          m.total.measured.toFixed(3),
          m.total.predicted.toFixed(3),
          `${MODEL_PURPOSES.filter((p) => observation.cores[p] === undefined).join(', ') || 'none'} missing`,
        ];
      });
      console.log(
        textTable(['run', 'OPS', 'NCA', 'POP', 'NNA', 'measured cores', 'fitted cores', 'purposes'], rows),
      );
      console.log(`runs: ${result.sweepDir}`);
      console.log(`cost model: ${result.path}`);
    });
}
