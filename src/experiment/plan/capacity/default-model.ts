/**
 * The built-in cost model used until `kos-test testbed calibrate` has measured this machine
 * (pure). Derived from the seed's corner cell as measured on a 2-core machine (issue 22): its
 * CPU per op per purpose, less an idle load per unit, split between per-op and per-event costs.
 */
import { solveTopNetSize } from '../solve-top-net-size.js';
import {
  COST_MODEL_SCHEMA,
  MODEL_PURPOSES,
  type CostModel,
  type EventModel,
  type ModelPurpose,
  type PurposeCoefficients,
} from './cost-model.js';
import { eventsPerOp, peerAgentsPerOp } from './run-load.js';

/** The corner cell: OPS 60, NCA 1,800, POP 1,800 in 40 VNs, NNA 9, NKA 3, 3-member etcds. */
export const CORNER = { OPS: 60, NCA: 1800, POP: 1800, numNets: 40, NNA: 9, NKA: 3, etcdMembers: 3 } as const;

/** Issue 22's cost table of that run: CPU ms per op, summed over each purpose's nodes. */
export const CORNER_MS_PER_OP: Record<ModelPurpose, number> = {
  comp: 10.1,
  napi: 10.6,
  netcd: 5.7,
  kapi: 1.3,
  nctrl: 0.8,
  ketcd: 0.8,
  kctrl: 0.1,
  // Not in that table: the driver (~70-100 us per request plus its watch, machine-facts.md).
  runner: 0.5,
  prometheus: 0,
};

/**
 * Events per op before calibration measures them: an op's own agent, nctrl and the driver each see
 * the create, the address, the fulfilment and the delete (12 per create+delete pair), and each
 * peer agent the attachment's arrival, fulfilment and delete (3 per pair).
 */
export const DEFAULT_EVENTS: EventModel = { fixedPerOp: 6, perPeerAgentPerOp: 1.5 };

/**
 * Share of the corner's variable CPU that grows with delivered events: the agents do little per
 * op besides reading events (their one status write per create); the napi also serves the writes.
 */
const EVENT_SHARE: Partial<Record<ModelPurpose, number>> = { comp: 0.9, napi: 0.5 };

/** Idle loads (guesses on the high side, so small runs are not predicted too cheap). */
const BASE: Record<ModelPurpose, { baseCores: number; baseCoresPerUnit: number }> = {
  comp: { baseCores: 0, baseCoresPerUnit: 5e-5 },
  napi: { baseCores: 0, baseCoresPerUnit: 0.01 },
  kapi: { baseCores: 0, baseCoresPerUnit: 0.005 },
  netcd: { baseCores: 0, baseCoresPerUnit: 0.01 },
  ketcd: { baseCores: 0, baseCoresPerUnit: 0.005 },
  nctrl: { baseCores: 0.005, baseCoresPerUnit: 0 },
  kctrl: { baseCores: 0.002, baseCoresPerUnit: 0 },
  // The pacer's timer (~3% of a core) and the supervisor; the exporter reads every node each scrape.
  runner: { baseCores: 0.05, baseCoresPerUnit: 3e-5 },
  // Ingesting each node's ~10 series every second.
  prometheus: { baseCores: 0.02, baseCoresPerUnit: 2e-5 },
};

function cornerUnits(p: ModelPurpose): number {
  const c = CORNER;
  const nodes = c.NCA + c.NNA + c.NKA + 2 * c.etcdMembers + 2;
  const units: Record<ModelPurpose, number> = {
    comp: c.NCA,
    napi: c.NNA,
    kapi: c.NKA,
    netcd: c.etcdMembers,
    ketcd: c.etcdMembers,
    nctrl: 1,
    kctrl: 1,
    runner: nodes,
    prometheus: nodes,
  };
  return units[p];
}

export function defaultCostModel(machine: CostModel['machine']): CostModel {
  const shape = { numNets: CORNER.numNets, exponent: 1, bias: 0 };
  const { topNetSize } = solveTopNetSize(shape, CORNER.POP);
  const cornerEvents = eventsPerOp(DEFAULT_EVENTS, peerAgentsPerOp({ ...shape, topNetSize }, CORNER.NCA));
  const purposes = {} as Record<ModelPurpose, PurposeCoefficients>;
  for (const p of MODEL_PURPOSES) {
    const base = BASE[p];
    const baseAtCorner = base.baseCores + base.baseCoresPerUnit * cornerUnits(p);
    // The table's per-op figure includes the idle load: take that out, then split the rest.
    const variablePerOp = Math.max(0, (CORNER_MS_PER_OP[p] / 1000) * CORNER.OPS - baseAtCorner) / CORNER.OPS;
    const eventShare = EVENT_SHARE[p] ?? 0;
    const perOp = variablePerOp * (1 - eventShare);
    // Each of the corner's 3 etcd members applied every write.
    const perMember = p === 'netcd' || p === 'ketcd';
    purposes[p] = {
      ...base,
      cpuSecondsPerOp: perMember ? 0 : perOp,
      cpuSecondsPerOpPerUnit: perMember ? perOp / cornerUnits(p) : 0,
      cpuSecondsPerEvent: (variablePerOp * eventShare) / cornerEvents,
    };
  }
  return { schema: COST_MODEL_SCHEMA, source: 'default', machine, events: DEFAULT_EVENTS, purposes };
}
