/**
 * Fits the cost model to calibration runs (pure): per purpose, measured cores over each run's
 * cruise window against [units, 1, ops/s x units, ops/s, events/s] by least squares with non-negative
 * coefficients; the event model against the napis' delivered events. A purpose or the event
 * model with fewer than two observations keeps the fallback model's coefficients.
 */
import {
  COST_MODEL_SCHEMA,
  EVENT_PURPOSES,
  MODEL_PURPOSES,
  REPLICATED_PURPOSES,
  type CostModel,
  type EventModel,
  type ModelPurpose,
  type PurposeCoefficients,
} from './cost-model.js';
import { nonNegativeLeastSquares } from './least-squares.js';
import { eventsPerOp } from './run-load.js';

export interface CalibrationObservation {
  units: Record<ModelPurpose, number>;
  opsPerS: number;
  peerAgentsPerOp: number;
  /** Watch events the napis delivered per second (undefined: not measured). */
  eventsPerS: number | undefined;
  /** Measured cores per purpose over the window (absent: not measured). */
  cores: Partial<Record<ModelPurpose, number>>;
}

const MIN_OBSERVATIONS = 2;

export function fitEventModel(obs: readonly CalibrationObservation[], fallback: EventModel): EventModel {
  const rows = obs.filter((o) => o.eventsPerS !== undefined && o.opsPerS > 0);
  if (rows.length < MIN_OBSERVATIONS) return fallback;
  const [fixedPerOp = 0, perPeerAgentPerOp = 0] = nonNegativeLeastSquares(
    rows.map((o) => [o.opsPerS, o.opsPerS * o.peerAgentsPerOp]),
    rows.map((o) => o.eventsPerS ?? 0),
  );
  return { fixedPerOp, perPeerAgentPerOp };
}

function rmsRelative(predicted: readonly number[], measured: readonly number[]): number {
  const rel = measured.flatMap((m, i) => (m > 0 ? [((predicted[i] ?? 0) - m) / m] : []));
  return rel.length === 0 ? 0 : Math.sqrt(rel.reduce((s, r) => s + r * r, 0) / rel.length);
}

export function fitCostModel(
  obs: readonly CalibrationObservation[],
  fallback: CostModel,
  machine: CostModel['machine'],
): CostModel {
  const events = fitEventModel(obs, fallback.events);
  const eventsOf = (o: CalibrationObservation): number =>
    o.eventsPerS ?? o.opsPerS * eventsPerOp(events, o.peerAgentsPerOp);
  const purposes = {} as Record<ModelPurpose, PurposeCoefficients>;
  const fit: NonNullable<CostModel['fit']> = {};
  for (const p of MODEL_PURPOSES) {
    const rows = obs.filter((o) => o.cores[p] !== undefined);
    if (rows.length < MIN_OBSERVATIONS) {
      purposes[p] = fallback.purposes[p];
      continue;
    }
    const withEvents = EVENT_PURPOSES.includes(p);
    const replicated = REPLICATED_PURPOSES.includes(p);
    // Per unit before the constant, per op and unit before per op: with one etcd member in every
    // run each pair is one column, and the cost then scales with the members a spec gives.
    const x = rows.map((o) => [
      o.units[p],
      1,
      replicated ? o.opsPerS * o.units[p] : 0,
      o.opsPerS,
      withEvents ? eventsOf(o) : 0,
    ]);
    const y = rows.map((o) => o.cores[p] ?? 0);
    const b = nonNegativeLeastSquares(x, y);
    const [baseCoresPerUnit = 0, baseCores = 0, cpuSecondsPerOpPerUnit = 0, cpuSecondsPerOp = 0] = b;
    const cpuSecondsPerEvent = b[4] ?? 0;
    purposes[p] = {
      baseCores,
      baseCoresPerUnit,
      cpuSecondsPerOp,
      cpuSecondsPerOpPerUnit,
      cpuSecondsPerEvent,
    };
    const predicted = x.map((row) => row.reduce((s, v, i) => s + v * (b[i] ?? 0), 0));
    fit[p] = { observations: rows.length, rmsRelativeError: rmsRelative(predicted, y) };
  }
  return { schema: COST_MODEL_SCHEMA, source: 'calibrated', machine, events, purposes, fit };
}
