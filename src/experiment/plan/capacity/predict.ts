/**
 * A run's CPU need from the cost model, against this machine's cores less a headroom (pure); a
 * run that does not fit gets a one-line reason that names what to lower, and by how much.
 */
import type { PlannedRun } from '../plan.js';
import { MODEL_PURPOSES, type CostModel, type ModelPurpose } from './cost-model.js';
import type { RunLoad } from './run-load.js';

/**
 * Share of the cores a run may not plan to use: the prediction's target error is 25% (the
 * plan-prediction benchmark), so a run predicted at 75% of the cores may need all of them.
 */
export const HEADROOM = 0.25;

export function usableCores(cores: number): number {
  return cores * (1 - HEADROOM);
}

export interface CorePrediction {
  totalCores: number;
  /** Idle part: what the run needs at 0 ops/s. */
  baseCores: number;
  byPurpose: Record<ModelPurpose, number>;
}

export function purposeCores(
  model: CostModel,
  load: RunLoad,
  p: ModelPurpose,
): { base: number; ops: number } {
  const c = model.purposes[p];
  return {
    base: c.baseCores + c.baseCoresPerUnit * load.units[p],
    ops:
      (c.cpuSecondsPerOp + c.cpuSecondsPerOpPerUnit * load.units[p]) * load.opsPerS +
      c.cpuSecondsPerEvent * load.eventsPerS,
  };
}

export function predictCores(model: CostModel, load: RunLoad): CorePrediction {
  const byPurpose = {} as Record<ModelPurpose, number>;
  let totalCores = 0;
  let baseCores = 0;
  for (const p of MODEL_PURPOSES) {
    const { base, ops } = purposeCores(model, load, p);
    byPurpose[p] = base + ops;
    totalCores += base + ops;
    baseCores += base;
  }
  return { totalCores, baseCores, byPurpose };
}

/** The largest purposes first, e.g. "napi 0.64, comp 0.61, netcd 0.34". */
export function topPurposes(byPurpose: Record<ModelPurpose, number>, n = 3): string {
  return MODEL_PURPOSES.map((p) => [p, byPurpose[p]] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([p, c]) => `${p} ${c.toFixed(2)}`)
    .join(', ');
}

/** Which factor sets a purpose's idle load. */
const BASE_FACTOR: Record<ModelPurpose, string> = {
  comp: 'NCA',
  napi: 'NNA',
  kapi: 'NKA',
  netcd: 'target.netcd',
  ketcd: 'target.ketcd',
  nctrl: 'NCA',
  kctrl: 'NCA',
  runner: 'NCA',
  prometheus: 'NCA',
};

export interface CapacityVerdict {
  prediction: CorePrediction;
  usableCores: number;
  fits: boolean;
  /** Why it does not fit and what to lower (absent when it fits). */
  reason?: string;
}

export function capacityVerdict(
  run: PlannedRun,
  load: RunLoad,
  model: CostModel,
  cores: number,
): CapacityVerdict {
  const prediction = predictCores(model, load);
  const usable = usableCores(cores);
  if (prediction.totalCores <= usable) return { prediction, usableCores: usable, fits: true };
  const need = `needs ~${prediction.totalCores.toFixed(2)} cores (${topPurposes(prediction.byPurpose)}) but ${usable.toFixed(2)} of this machine's ${cores} are usable (${HEADROOM * 100}% headroom)`;
  return {
    prediction,
    usableCores: usable,
    fits: false,
    reason: `${need}: ${whatToLower(run, load, model, prediction, usable)}`,
  };
}

function whatToLower(
  run: PlannedRun,
  load: RunLoad,
  model: CostModel,
  prediction: CorePrediction,
  usable: number,
): string {
  if (prediction.baseCores >= usable) {
    const base = MODEL_PURPOSES.map((p) => [p, purposeCores(model, load, p).base] as const).sort(
      (a, b) => b[1] - a[1],
    )[0] ?? ['comp', 0];
    return `its idle load alone is ~${prediction.baseCores.toFixed(2)} cores (most: ${base[0]}): lower ${BASE_FACTOR[base[0]]}, or run it on a cluster`;
  }
  // Ops and events are both proportional to the rate: the rate that fits, at these NCA and POP.
  const perRate = (prediction.totalCores - prediction.baseCores) / load.opsPerS;
  const maxRate = (usable - prediction.baseCores) / perRate;
  const also = 'or lower NCA or POP (fewer watch events per op), or run it on a cluster';
  if (load.peakPhase === 'cruise')
    return `lower OPS ${run.factors.OPS} to <= ${Math.max(1, Math.floor(maxRate * 10) / 10)}, ${also}`;
  const field = load.peakPhase === 'warmup' ? 'warmup' : 'cooldown';
  return `lengthen ${field} to >= ${Math.ceil(run.slots / maxRate)}s (its ${load.opsPerS.toFixed(1)} ops/s is the run's peak), ${also}`;
}

/**
 * The busiest agent process: one runs at most one core, so a prediction that fits the machine can
 * still saturate a group of hollow agents and add its queueing to their latency (ADR 0044).
 * Undefined when it fits; else the reason, with the agents per process that would fit (or, when
 * one agent alone needs more than a process has, the OPS that would).
 */
export function agentGroupOverload(
  prediction: CorePrediction,
  run: { OPS: number; NCA: number },
  agentsPerGroup: number,
): string | undefined {
  if (run.NCA <= 0) return undefined;
  const perAgent = prediction.byPurpose.comp / run.NCA;
  const agents = Math.min(run.NCA, agentsPerGroup);
  const busiest = perAgent * agents;
  const usable = usableCores(1);
  if (busiest <= usable) return undefined;
  const fits = Math.floor(usable / perAgent);
  // No packaging helps when one agent alone needs more than a process has.
  if (fits < 1)
    return `one hollow agent alone needs ~${perAgent.toFixed(2)} cores, but one process runs on one core (${usable.toFixed(2)} usable): lower OPS ${run.OPS} to <= ${Math.floor((run.OPS * usable * 10) / perAgent) / 10}, or run it on a cluster`;
  return `the busiest agent process (${agents} agents) needs ~${busiest.toFixed(2)} cores, but one process runs on one core (${usable.toFixed(2)} usable): lower target.agentsPerGroup to <= ${fits}`;
}

/** Measured and predicted cores per purpose, and their totals over the purposes measured. */
export function measuredAndPredicted(
  model: CostModel,
  load: RunLoad,
  measuredCores: Partial<Record<ModelPurpose, number>>,
): {
  total: { measured: number; predicted: number };
  byPurpose: Partial<Record<ModelPurpose, { measured: number; predicted: number }>>;
} {
  const predicted = predictCores(model, load).byPurpose;
  const byPurpose: Partial<Record<ModelPurpose, { measured: number; predicted: number }>> = {};
  const total = { measured: 0, predicted: 0 };
  for (const p of MODEL_PURPOSES) {
    const measured = measuredCores[p];
    if (measured === undefined) continue;
    byPurpose[p] = { measured, predicted: predicted[p] };
    total.measured += measured;
    total.predicted += predicted[p];
  }
  return { total, byPurpose };
}
