/**
 * Pure planning of a sweep: the factorial grid, replicates, the run order, and for every run its
 * phase durations, the driver's parameters and an estimate of its time. The driver's schedule
 * (original-driver.md) is numAttachments creates and as many deletes at a rate that counts
 * both: warm-up = POP creates, cruise = delete+create pairs, cool-down = POP deletes. Warm-up and
 * cool-down run at OPS like the original unless the spec gives their durations; then at POP / it.
 */
import type { PhaseDurations, RunFactors } from '../store/run-record.js';
import { seededShuffle } from './seeded-order.js';
import { solveTopNetSize } from './solve-top-net-size.js';
import type { PopLevel, ResolvedSpec } from '../spec/spec-load.js';
import type { FaultScenario } from '../spec/fault-scenario.js';

/**
 * A drive in processes of its own only: seconds from spawning them to their shared start, for node
 * to load the CLI and each to set up (ADR 0016: ~4.6 s measured for 2 shards on 2 busy cores; ADR
 * 0041: ~2 s for one beside the seed's corner testbed).
 */
export function driverStartMarginS(d: Pick<PlannedDriver, 'shards' | 'ownProcesses'>): number {
  if (!d.ownProcesses) return 0;
  return d.shards > 1 ? 6 + 1.5 * d.shards : 4;
}

/**
 * The drive runs in child processes (pure, ADR 0041): its shards, and on the testbed its one
 * process too, since it shares the machine with the system under test and needs a session of its
 * own to be scheduled ahead of it. A run with faults drives in the runner, beside its fault host.
 */
export function driveInOwnProcesses(
  shards: number,
  target: 'testbed' | 'cluster',
  faulted: boolean,
): boolean {
  return shards > 1 || (target === 'testbed' && !faulted);
}

export interface PlannedDriver {
  /** Total creates: POP in warm-up plus one per delete+create pair in cruise. */
  numAttachments: number;
  /** Cruise ops/s (creates and deletes both count); also warm-up and cool-down unless given. */
  rate: number;
  /** POP creates over the warm-up: POP / warmup when given, else OPS. */
  warmupRate: number;
  /** POP deletes over the cool-down: POP / cooldown when given, else OPS. */
  cooldownRate: number;
  numNets: number;
  topNetSize: number;
  exponent: number;
  bias: number;
  distribution: 'steady' | 'poisson';
  shards: number;
  /** Driven by `shards` child processes, not inside the runner (driveInOwnProcesses). */
  ownProcesses: boolean;
  graceWaitS: number;
  /** Keep the per-attachment CSV (gzip-compressed). */
  perAttachmentCsv: boolean;
  /** Data-plane tests (the spec's driver.testFraction ...; ADR 0023). */
  tests: {
    testFraction: number;
    pingCount: number;
    pendingWaitS: number;
    stopOnPingFail: boolean;
    stopOnBreak: boolean;
  };
}

export interface PlannedRun {
  /** Position in the run order (0-based). */
  index: number;
  /** Stable identity of the run across resumes: cell and replicate. */
  key: string;
  cell: number;
  replicate: number;
  factors: RunFactors;
  pop: PopLevel;
  /** The level of factors.faults: the scenario injected during the cruise, or null (none). */
  fault: FaultScenario | null;
  /** The population the solved VN shape gives (= factors.POP when reachable). */
  slots: number;
  phases: PhaseDurations;
  driver: PlannedDriver;
  /** NCA, NNA or NKA differ from the previous run's (or it is the first run). */
  reconfigure: boolean;
  estimatedS: number;
}

export interface ExperimentPlan {
  runs: PlannedRun[];
  cells: number;
  order: 'listed' | 'random';
  seed: number | null;
  totalS: number;
}

interface Cell {
  cell: number;
  factors: RunFactors;
  pop: PopLevel;
  fault: FaultScenario | null;
}

/** NCA, NNA, NKA outermost (each change reconfigures the target), then POP, OPS, faults. */
function cells(r: ResolvedSpec): Cell[] {
  const f = r.spec.factors;
  const out: Cell[] = [];
  for (const NCA of f.NCA)
    for (const NNA of f.NNA)
      for (const NKA of f.NKA)
        for (const pop of r.popLevels)
          for (const OPS of f.OPS)
            for (const fault of r.faultLevels)
              out.push({ cell: out.length, factors: { OPS, NCA, POP: pop.count, NNA, NKA }, pop, fault });
  return out;
}

function runOf(
  r: ResolvedSpec,
  c: Cell,
  replicate: number,
): Omit<PlannedRun, 'index' | 'reconfigure' | 'estimatedS'> {
  const d = r.spec.driver;
  const shape = { numNets: d.numNets, exponent: d.exponent, bias: d.bias };
  const { topNetSize, slots } = solveTopNetSize(shape, c.factors.POP);
  const ops = c.factors.OPS;
  const pairs = Math.max(1, Math.round((r.cruiseS * ops) / 2));
  const warmupS = r.warmupS ?? slots / ops;
  const cooldownS = r.cooldownS ?? slots / ops;
  // Not given: exactly OPS, so the driver plans the single-rate schedule of the original.
  const warmupRate = r.warmupS === undefined ? ops : slots / r.warmupS;
  const cooldownRate = r.cooldownS === undefined ? ops : slots / r.cooldownS;
  return {
    key: `c${c.cell}-r${replicate}`,
    cell: c.cell,
    replicate,
    factors: c.factors,
    pop: c.pop,
    fault: c.fault,
    slots,
    phases: { warmupS, cruiseS: (2 * pairs) / ops, cooldownS },
    driver: {
      numAttachments: slots + pairs,
      rate: ops,
      warmupRate,
      cooldownRate,
      ...shape,
      topNetSize,
      distribution: d.distribution,
      shards: d.shards,
      ownProcesses: driveInOwnProcesses(d.shards, r.spec.target.kind, c.fault !== null),
      graceWaitS: r.graceWaitS,
      // Recovery is measured from the per-attachment rows (ADR 0030).
      perAttachmentCsv: d.perAttachmentCsv || c.fault !== null,
      tests: {
        testFraction: d.testFraction,
        pingCount: d.pingCount,
        pendingWaitS: r.pendingWaitS,
        stopOnPingFail: d.stopOnPingFail,
        stopOnBreak: d.stopOnBreak,
      },
    },
  };
}

export function planExperiment(r: ResolvedSpec, opts: { seed?: number } = {}): ExperimentPlan {
  const all = cells(r).flatMap((c) => Array.from({ length: r.spec.replicates }, (_, k) => runOf(r, c, k)));
  const order = r.spec.order;
  const random = order !== 'listed';
  const seed = random ? (order.seed ?? opts.seed ?? null) : null;
  if (random && seed === null) throw new Error('planExperiment: a random order needs a seed');
  const ordered = seed === null ? all : seededShuffle(all, seed);
  let totalS = 0;
  const runs = ordered.map((run, index): PlannedRun => {
    const prev = ordered[index - 1];
    const reconfigure =
      prev === undefined ||
      prev.factors.NCA !== run.factors.NCA ||
      prev.factors.NNA !== run.factors.NNA ||
      prev.factors.NKA !== run.factors.NKA;
    const p = run.phases;
    const estimatedS =
      p.warmupS +
      p.cruiseS +
      p.cooldownS +
      run.driver.graceWaitS +
      driverStartMarginS(run.driver) +
      r.perRunOverheadS +
      (reconfigure ? r.reconfigureOverheadS : 0);
    totalS += estimatedS;
    return { ...run, index, reconfigure, estimatedS };
  });
  return { runs, cells: all.length / r.spec.replicates, order: random ? 'random' : 'listed', seed, totalS };
}
