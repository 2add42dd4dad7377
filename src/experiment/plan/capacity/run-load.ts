/**
 * What a planned run asks of each purpose (pure): its units (agents, napis, etcd members, ...),
 * its busiest phase's ops/s, and the watch events the napis deliver per second then.
 */
import { vnSizes, type PopulationShape } from '../../../driver/population.js';
import type { PlannedRun } from '../plan.js';
import type { EventModel, ModelPurpose } from './cost-model.js';

export interface EtcdMembers {
  netcd: number;
  ketcd: number;
}

export interface RunLoad {
  units: Record<ModelPurpose, number>;
  /** The phase with the highest op rate, where the run needs the most CPU. */
  peakPhase: 'warmup' | 'cruise' | 'cooldown';
  opsPerS: number;
  /** Expected agents, besides the op's own, that watch the op's VN. */
  peerAgentsPerOp: number;
  eventsPerS: number;
}

/**
 * Agents other than its own that hold another attachment of a random attachment's VN: an
 * attachment is in VN v with probability s_v / POP, and each of the s_v - 1 others lands on one of
 * NCA nodes at random, so (NCA - 1) (1 - (1 - 1/NCA)^(s_v - 1)) other nodes host one.
 */
export function peerAgentsPerOp(shape: PopulationShape, nca: number): number {
  const sizes = vnSizes(shape);
  const pop = sizes.reduce((a, s) => a + s, 0);
  if (pop === 0 || nca <= 1) return 0;
  return sizes.reduce((a, s) => a + (s / pop) * (nca - 1) * (1 - Math.pow(1 - 1 / nca, s - 1)), 0);
}

export function eventsPerOp(events: EventModel, peers: number): number {
  return events.fixedPerOp + events.perPeerAgentPerOp * peers;
}

/** Testbed nodes the exporter and Prometheus cover: agents, napis, kube fronts, etcds, controllers. */
function testbedNodes(run: PlannedRun, etcd: EtcdMembers): number {
  const { NCA, NNA, NKA } = run.factors;
  return NCA + NNA + NKA + etcd.netcd + etcd.ketcd + 2;
}

/** At the run's busiest phase (what the plan checks), or in its cruise (what a run's costs measure). */
export function runLoad(
  run: PlannedRun,
  events: EventModel,
  etcd: EtcdMembers,
  at: 'peak' | 'cruise' = 'peak',
): RunLoad {
  const d = run.driver;
  const phases = [
    ['cruise', d.rate],
    ...(at === 'peak'
      ? ([
          ['warmup', d.warmupRate],
          ['cooldown', d.cooldownRate],
        ] as const)
      : []),
  ] as const;
  const [peakPhase, opsPerS] = phases.reduce((a, b) => (b[1] > a[1] ? b : a));
  const peers = peerAgentsPerOp(d, run.factors.NCA);
  const nodes = testbedNodes(run, etcd);
  return {
    units: {
      comp: run.factors.NCA,
      napi: run.factors.NNA,
      kapi: run.factors.NKA,
      netcd: etcd.netcd,
      ketcd: etcd.ketcd,
      nctrl: 1,
      kctrl: 1,
      runner: nodes,
      prometheus: nodes,
    },
    peakPhase,
    opsPerS,
    peerAgentsPerOp: peers,
    eventsPerS: opsPerS * eventsPerOp(events, peers),
  };
}
