/**
 * The runs `kos-test testbed calibrate` drives (pure): a half fraction of a two-level grid over
 * NCA, NNA, POP and OPS (20/300 agents, 40/400 attachments in 4 VNs, 10/40 ops/s, 1/2 napis), so every factor varies and each run differs from the others in two of
 * them, in half the runs of the full grid. `quick` is a tiny version for tests.
 */
import type { ExperimentPlan, PlannedRun } from '../plan.js';
import type { ResolvedSpec } from '../../spec/spec-load.js';

export interface CalibrationSize {
  quick: boolean;
  /** Cruise seconds of each run. @default 20 (quick: 4) */
  cruiseS?: number | undefined;
}

/** The spec (as a parsed YAML document would give it) of the calibration grid. */
export function calibrationSpecData(size: CalibrationSize): Record<string, unknown> {
  const q = size.quick;
  return {
    name: 'calibrate',
    X: q ? 5 : 20,
    factors: {
      OPS: q ? [10, 20] : [10, 40],
      NCA: q ? [5, 15] : [20, 300],
      POP: q ? ['2X', '4X'] : ['2X', '20X'],
      NNA: q ? [1] : [1, 2],
      NKA: [1],
    },
    cruise: size.cruiseS ?? (q ? 4 : 20),
    // The fill and the drain are not measured: short, whatever POP and OPS.
    ...(q ? {} : { warmup: '8s', cooldown: '8s' }),
    // Few large VNs: many agents share each, so the busiest run sees ~4,000 watch events/s and
    // the per-event costs stand out of the noise.
    driver: { numNets: 4, graceWait: q ? '1s' : '2s' },
    target: { kind: 'testbed' },
    overheads: { perRun: q ? '5s' : '10s', reconfigure: '15s' },
  };
}

function levelIndex(r: ResolvedSpec, run: PlannedRun): number {
  const f = r.spec.factors;
  return (
    f.OPS.indexOf(run.factors.OPS) +
    f.NCA.indexOf(run.factors.NCA) +
    f.NNA.indexOf(run.factors.NNA) +
    r.popLevels.findIndex((p) => p.count === run.factors.POP)
  );
}

/** The runs whose level indices add up to an even number, renumbered in their order. */
export function halfFraction(r: ResolvedSpec, plan: ExperimentPlan): ExperimentPlan {
  const runs = plan.runs
    .filter((run) => levelIndex(r, run) % 2 === 0)
    .map((run, index) => ({ ...run, index }));
  return {
    ...plan,
    runs,
    cells: runs.length,
    totalS: runs.reduce((a, run) => a + run.estimatedS, 0),
  };
}
