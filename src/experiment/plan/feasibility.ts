/**
 * Whether the target can hold each run of a plan, from facts measured at the edge (pure). A plan
 * with any refusal is not started: the reasons say which run, what limit, and what to change.
 * On the testbed that includes CPU: the cost model's prediction against this machine's cores
 * (ADR 0019), a refusal `--force` may override since it is a prediction, not a limit.
 */
import { TESTBED_LIMITS } from '../../testbed/testbed-limits.js';
import type { CostModel } from './capacity/cost-model.js';
import { agentGroupOverload, capacityVerdict, type CapacityVerdict } from './capacity/predict.js';
import { runLoad, type EtcdMembers } from './capacity/run-load.js';
import type { ExperimentPlan, PlannedRun } from './plan.js';

export interface TestbedFacts {
  kind: 'testbed';
  /** `ulimit -n` of this process (each testbed process inherits it). */
  fdLimit: number;
  /** Memory the testbed may use (free plus reclaimable). */
  availableMemoryBytes: number;
  agentsPerGroup: number;
  /** CPU cores of this machine, and the cost model that predicts what each run needs of them. */
  cores: number;
  costModel: CostModel;
  /** Where the cost model came from (calibrated here, or the built-in default and why). */
  costModelNote: string;
  etcd: EtcdMembers;
}

export interface ClusterFacts {
  kind: 'cluster';
  /** Nodes matching the comp-candidate selector. */
  compCandidates: number;
  /** Nodes labelled kos-role/napi=true (0: not labelled, not checked). */
  napiNodes: number;
  /** Addresses in the kube-apiserver Endpoints: the NKA the cluster has (it cannot be changed). */
  apiserverEndpoints: number;
}

export type TargetFacts = TestbedFacts | ClusterFacts;

export interface Refusal {
  runs: number[];
  reason: string;
  /** A predicted CPU shortfall, not a hard limit: `experiment run --force` runs it anyway. */
  overridable: boolean;
}

/** machine-facts.md: ~120 KiB per idle hollow agent, ~9 KB per idle watch per side. */
export const AGENT_BYTES = 120 * 1024;
export const WATCH_BYTES_PER_SIDE = 9 * 1024;
/** etcd members, napi, kube front, controllers, exporter and the driver before any agent. */
export const TESTBED_BASE_BYTES = 400 * 1024 * 1024;
const FD_MARGIN = 256;
/** drive-options.ts caps every rate here. */
const MAX_DRIVER_RATE = 1_000_000;

/** Watches the agents hold: one on their node, plus one per VNI with a local attachment. */
export function agentWatches(run: PlannedRun): number {
  const perAgentVnis = Math.min(run.driver.numNets, Math.ceil(run.slots / run.factors.NCA));
  return run.factors.NCA * (1 + perAgentVnis);
}

function testbedLimits(run: PlannedRun, f: TestbedFacts): string[] {
  const out: string[] = [];
  const { NCA, NNA, NKA } = run.factors;
  const { nna, nka } = TESTBED_LIMITS;
  if (NNA > nna.max)
    out.push(`NNA ${NNA} > ${nna.max}, the testbed's limit of network-apiservers (use NNA <= ${nna.max})`);
  if (NKA > nka.max)
    out.push(`NKA ${NKA} > ${nka.max}, the testbed's limit of kube fronts (use NKA <= ${nka.max})`);
  const watches = agentWatches(run);
  // Each watch is one socket at the agent's end and one at a napi's; ~2 sockets per agent is the floor.
  const napiSockets = Math.ceil(watches / NNA) + FD_MARGIN;
  if (napiSockets > f.fdLimit)
    out.push(
      `NCA ${NCA} needs ~${napiSockets} sockets per network-apiserver (${watches} agent watches over NNA ${NNA}), above ulimit -n ${f.fdLimit} (raise ulimit -n, raise NNA or lower NCA)`,
    );
  const groupSockets = Math.ceil((watches / NCA) * Math.min(NCA, f.agentsPerGroup)) * 2 + FD_MARGIN;
  if (groupSockets > f.fdLimit)
    out.push(
      `${f.agentsPerGroup} agents per process need ~${groupSockets} descriptors, above ulimit -n ${f.fdLimit} (raise ulimit -n, or lower target.agentsPerGroup)`,
    );
  const bytes = TESTBED_BASE_BYTES + NCA * AGENT_BYTES + watches * 2 * WATCH_BYTES_PER_SIDE;
  if (bytes > f.availableMemoryBytes)
    out.push(
      `NCA ${NCA} needs ~${mib(bytes)} MiB (${mib(AGENT_BYTES * NCA)} MiB of agents), more than the ${mib(f.availableMemoryBytes)} MiB available (lower NCA)`,
    );
  return out;
}

function clusterLimits(run: PlannedRun, f: ClusterFacts): string[] {
  const out: string[] = [];
  const { NCA, NNA, NKA } = run.factors;
  if (NCA > f.compCandidates)
    out.push(`NCA ${NCA} > ${f.compCandidates} comp-capable nodes (label more nodes or lower NCA)`);
  if (f.napiNodes > 0 && NNA > f.napiNodes)
    out.push(
      `NNA ${NNA} > ${f.napiNodes} nodes labelled kos-role/napi=true (label more napi nodes or lower NNA)`,
    );
  if (NKA !== f.apiserverEndpoints)
    out.push(
      `NKA ${NKA} but the cluster has ${f.apiserverEndpoints} kube-apiservers, which kos-test does not change (use NKA: [${f.apiserverEndpoints}])`,
    );
  return out;
}

function common(run: PlannedRun): string[] {
  const out: string[] = [];
  if (run.factors.POP < run.driver.numNets)
    out.push(
      `POP ${run.factors.POP} < numNets ${run.driver.numNets}: every VN needs a slot (raise X or lower driver.numNets)`,
    );
  for (const [name, rate] of [
    ['warm-up', run.driver.warmupRate],
    ['cool-down', run.driver.cooldownRate],
  ] as const)
    if (rate > MAX_DRIVER_RATE)
      out.push(
        `${name} at ${rate.toPrecision(3)} ops/s is above the driver's ${MAX_DRIVER_RATE} (lengthen ${name === 'warm-up' ? 'warmup' : 'cooldown'})`,
      );
  return out;
}

/**
 * The run's predicted CPU need on this testbed machine, and whether it fits: on the machine's
 * cores, and in its busiest agent process, which has one.
 */
export function runCapacity(run: PlannedRun, f: TestbedFacts): CapacityVerdict {
  const verdict = capacityVerdict(run, runLoad(run, f.costModel.events, f.etcd), f.costModel, f.cores);
  const group = agentGroupOverload(verdict.prediction, run.factors, f.agentsPerGroup);
  if (group === undefined) return verdict;
  return {
    ...verdict,
    fits: false,
    reason: verdict.reason === undefined ? group : `${verdict.reason}; and ${group}`,
  };
}

export function checkFeasibility(plan: ExperimentPlan, facts: TargetFacts): Refusal[] {
  const byReason = new Map<string, Refusal>();
  const add = (reason: string, run: number, overridable: boolean): void => {
    const r = byReason.get(reason) ?? { reason, runs: [], overridable };
    r.runs.push(run);
    byReason.set(reason, r);
  };
  for (const run of plan.runs) {
    const hard = [
      ...common(run),
      ...(facts.kind === 'testbed' ? testbedLimits(run, facts) : clusterLimits(run, facts)),
    ];
    for (const reason of hard) add(reason, run.index, false);
    if (facts.kind === 'testbed') {
      const cpu = runCapacity(run, facts);
      if (cpu.reason !== undefined) add(`predicted not to fit: ${cpu.reason}`, run.index, true);
    }
  }
  return [...byReason.values()];
}

function mib(bytes: number): number {
  return Math.round(bytes / (1024 * 1024));
}
