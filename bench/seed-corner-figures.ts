/**
 * What the seed-corner benchmark reads off one recorded run (pure): validity, never fulfilled and
 * late ops, fulfilment from planned, CPU per op per purpose, the host's idle share over cruise,
 * the hollow agents' CPU as a share of the system under test's, and where the busy cores went
 * (system under test, agents, the runner with its cost exporter, Prometheus, everything else).
 */
import { purposeCores } from '../src/experiment/plan/capacity/measured-sweep.js';
import type { RunRecord } from '../src/experiment/store/run-record.js';
import { COSTED_PURPOSES, type CostedPurpose } from '../src/measure/cost-table.js';

/** The KOS components whose costs the experiment measures (the agents stand in for machines). */
export const SYSTEM_UNDER_TEST: readonly CostedPurpose[] = [
  'napi',
  'netcd',
  'nctrl',
  'kapi',
  'ketcd',
  'kctrl',
];

export interface CornerFigures {
  ops: number;
  validity: string;
  reasons: string[];
  neverFulfilled: number | undefined;
  late: number | undefined;
  /** late / issued cruise ops, in percent. */
  latePct: number | undefined;
  fulfilmentP50Ms: number | undefined;
  fulfilmentP99Ms: number | undefined;
  /** Milliseconds of CPU per cruise op, summed over each purpose's nodes. */
  cpuMsPerOp: Partial<Record<CostedPurpose, number>>;
  /** Of all CPU time over cruise, percent idle (neither busy nor stolen). */
  hostIdlePct: number | undefined;
  /** comp cores / system-under-test cores, percent. */
  agentSharePct: number | undefined;
  /** Cores over cruise. `others` is the host's busy cores less every named part: other users. */
  cores: {
    systemUnderTest: number | undefined;
    agents: number | undefined;
    runner: number | undefined;
    exporter: number | undefined;
    prometheus: number | undefined;
    hostBusy: number | undefined;
    others: number | undefined;
  };
}

export interface RunExtras {
  /** Cores of the runner's process (driver, testbed supervisor, cost exporter). */
  runnerCores: number | undefined;
  exporterCores: number | undefined;
  prometheusCores: number | undefined;
}

function sumDefined(values: readonly (number | undefined)[]): number | undefined {
  return values.some((v) => v === undefined) ? undefined : values.reduce<number>((a, v) => a + (v ?? 0), 0);
}

export function cornerFigures(record: RunRecord, extras: RunExtras): CornerFigures {
  const cruise = record.drive?.cruise;
  const fulfilment = cruise?.latency.fulfilmentFromPlanned;
  const cpuMsPerOp: Partial<Record<CostedPurpose, number>> = {};
  for (const p of record.costs?.purposes ?? []) {
    const perOp = p.perOp?.cpuSecondsPerOp;
    if ((COSTED_PURPOSES as readonly string[]).includes(p.purpose) && perOp !== null && perOp !== undefined)
      cpuMsPerOp[p.purpose as CostedPurpose] = perOp * 1000;
  }
  const cores = record.costs === null ? {} : purposeCores(record.costs);
  const sut = sumDefined(SYSTEM_UNDER_TEST.map((p) => cores[p]));
  const agents = cores.comp;
  const host = record.host ?? null;
  const hostBusy = host === null ? undefined : (host.busyFraction + host.stealFraction) * host.cpus;
  const named = sumDefined([sut, agents, extras.runnerCores, extras.prometheusCores]);
  return {
    ops: record.factors.OPS,
    validity: record.validity?.status ?? 'unjudged',
    reasons: (record.validity?.reasons ?? []).map((r) => r.message),
    neverFulfilled: cruise?.outcomes.neverFulfilled,
    late: cruise?.ops.late,
    latePct:
      cruise === undefined || cruise.ops.issued === 0
        ? undefined
        : (100 * cruise.ops.late) / cruise.ops.issued,
    fulfilmentP50Ms: fulfilment?.p50Ms ?? undefined,
    fulfilmentP99Ms: fulfilment?.p99Ms ?? undefined,
    cpuMsPerOp,
    hostIdlePct: host === null ? undefined : 100 * (1 - host.busyFraction - host.stealFraction),
    agentSharePct: sut === undefined || agents === undefined || sut <= 0 ? undefined : (100 * agents) / sut,
    cores: {
      systemUnderTest: sut,
      agents,
      runner: extras.runnerCores,
      exporter: extras.exporterCores,
      prometheus: extras.prometheusCores,
      hostBusy,
      others: hostBusy === undefined || named === undefined ? undefined : hostBusy - named,
    },
  };
}

/** The largest OPS among valid runs; undefined when none was valid. */
export function largestValidOps(figures: readonly CornerFigures[]): number | undefined {
  const valid = figures.filter((f) => f.validity === 'valid').map((f) => f.ops);
  return valid.length === 0 ? undefined : Math.max(...valid);
}

const fmt = (v: number | undefined, digits = 2): string => (v === undefined ? 'n/a' : v.toFixed(digits));

/** One line: where the host's busy cores went over cruise. */
export function machineShareLine(f: CornerFigures): string {
  const c = f.cores;
  return (
    `machine over cruise (OPS ${f.ops}): busy ${fmt(c.hostBusy)} cores (idle ${fmt(f.hostIdlePct, 0)}%) = ` +
    `system under test ${fmt(c.systemUnderTest)} + hollow agents ${fmt(c.agents)} + ` +
    `runner ${fmt(c.runner)} (driver, supervisor, cost exporter <= ${fmt(c.exporter, 3)}) + ` +
    `Prometheus ${fmt(c.prometheus)} + other processes ${fmt(c.others)}`
  );
}
