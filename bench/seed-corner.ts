/**
 * seed-corner: the seed's heaviest cell (OPS 60, NCA 1,800, POP 9X with X = 200, NNA 9, NKA 3,
 * 3-member netcd and ketcd, 40 VNs, Poisson, cruise 1 m) through the experiment runner on the
 * testbed, as a user's `experiment run --force` would run it. Prints each run's validity, never
 * fulfilled and late ops, fulfilment p50/p99 from planned, CPU per op per purpose, the host's idle
 * share over cruise, the hollow agents' CPU as a share of the system under test's, and where the
 * busy cores went, the testbed's own overheads (runner, cost exporter, Prometheus) included.
 * `--ops 60,45,30` steps OPS down in one sweep (one testbed) to find the largest valid OPS;
 * `--agents-per-group N` weighs another packing of the agents into processes (ADR 0044).
 */
import { join } from 'node:path';
import { runMeasuredSweep } from '../src/experiment/plan/capacity/measured-sweep.js';
import { planExperiment } from '../src/experiment/plan/plan.js';
import { parseSpecData } from '../src/experiment/spec/spec-load.js';
import { sweepIdOf } from '../src/experiment/store/sweep-id.js';
import { startHostSampling } from '../src/measure/host-sampler.js';
import { COSTED_PURPOSES } from '../src/measure/cost-table.js';
import { TESTBED_SCRAPE_INTERVAL_MS } from '../src/testbed/prometheus/testbed-config.js';
import { textTable } from '../src/util/text-table.js';
import type { BenchContext } from './benchmark.js';
import { check, type BenchReport, type Check, type Measure } from './report.js';
import {
  cornerFigures,
  largestValidOps,
  machineShareLine,
  type CornerFigures,
} from './seed-corner-figures.js';

/** Issue 22's targets for the corner cell at OPS 60, same run. */
const TARGET_OPS = 60;
const TARGET_P99_MS = 2000;
const TARGET_LATE_PCT = 1;
const TARGET_AGENT_SHARE_PCT = 20;

export function cornerSpecData(
  ops: readonly number[],
  cruiseS: number,
  agentsPerGroup?: number,
): Record<string, unknown> {
  return {
    name: 'seed-corner',
    X: 200,
    factors: { OPS: [...ops], NCA: [1800], POP: ['9X'], NNA: [9], NKA: [3] },
    cruise: cruiseS,
    order: 'listed',
    driver: { numNets: 40, distribution: 'poisson' },
    target: {
      kind: 'testbed',
      netcd: 3,
      ketcd: 3,
      ...(agentsPerGroup === undefined ? {} : { agentsPerGroup }),
    },
  };
}

const fmt = (v: number | undefined, digits = 1): string => (v === undefined ? 'n/a' : v.toFixed(digits));
const orNaN = (v: number | undefined): number => v ?? NaN;
/** A reason can name every node (incomplete costs); the JSON keeps it whole. */
const REASON_CHARS = 400;
const clip = (text: string): string =>
  text.length <= REASON_CHARS ? text : `${text.slice(0, REASON_CHARS)}... (${text.length} characters)`;

function runRow(f: CornerFigures): string[] {
  return [
    String(f.ops),
    f.validity,
    fmt(f.neverFulfilled, 0),
    `${fmt(f.late, 0)} (${fmt(f.latePct, 2)}%)`,
    fmt(f.fulfilmentP50Ms, 0),
    fmt(f.fulfilmentP99Ms, 0),
    fmt(f.hostIdlePct, 0),
    fmt(f.agentSharePct, 0),
  ];
}

function measuresOf(f: CornerFigures): Measure[] {
  const at = `OPS ${f.ops}`;
  return [
    { label: `${at}: never fulfilled (cruise)`, value: orNaN(f.neverFulfilled), unit: 'ops', digits: 0 },
    { label: `${at}: late ops (cruise)`, value: orNaN(f.latePct), unit: '%', digits: 2 },
    { label: `${at}: fulfilment p50 from planned`, value: orNaN(f.fulfilmentP50Ms), unit: 'ms', digits: 0 },
    { label: `${at}: fulfilment p99 from planned`, value: orNaN(f.fulfilmentP99Ms), unit: 'ms', digits: 0 },
    ...COSTED_PURPOSES.map((p) => ({
      label: `${at}: CPU per op, ${p}`,
      value: orNaN(f.cpuMsPerOp[p]),
      unit: 'ms',
      digits: 2,
    })),
    { label: `${at}: host idle over cruise`, value: orNaN(f.hostIdlePct), unit: '%', digits: 0 },
    { label: `${at}: hollow agents / system under test CPU`, value: orNaN(f.agentSharePct), unit: '%' },
    {
      label: `${at}: runner cores (driver, supervisor, exporter)`,
      value: orNaN(f.cores.runner),
      unit: 'cores',
      digits: 3,
    },
    {
      label: `${at}: cost exporter cores (upper bound)`,
      value: orNaN(f.cores.exporter),
      unit: 'cores',
      digits: 3,
    },
    { label: `${at}: Prometheus cores`, value: orNaN(f.cores.prometheus), unit: 'cores', digits: 3 },
    { label: `${at}: other processes' cores`, value: orNaN(f.cores.others), unit: 'cores', digits: 2 },
  ];
}

function checksOf(f: CornerFigures): Check[] {
  const at = `OPS ${f.ops}`;
  return [
    check(`${at}: run valid (1 = yes)`, f.validity === 'valid' ? 1 : 0, '==', 1, '', 0),
    check(`${at}: every cruise attachment fulfilled`, orNaN(f.neverFulfilled), '==', 0, 'ops', 0),
    check(`${at}: late ops`, orNaN(f.latePct), '<=', TARGET_LATE_PCT, '%'),
    check(`${at}: fulfilment p99`, orNaN(f.fulfilmentP99Ms), '<', TARGET_P99_MS, 'ms', 0),
    check(
      `${at}: hollow agents / system under test CPU`,
      orNaN(f.agentSharePct),
      '<=',
      TARGET_AGENT_SHARE_PCT,
      '%',
      1,
    ),
  ];
}

export async function runSeedCorner(ctx: BenchContext): Promise<BenchReport> {
  const ops = ctx.options.ops ?? [TARGET_OPS];
  const resolved = parseSpecData(
    'seed-corner',
    cornerSpecData(ops, ctx.options.seconds ?? 60, ctx.options.agentsPerGroup),
  );
  // The capacity-aware plan would refuse this cell on 2 cores; like `--force`, the bench runs it.
  const plan = planExperiment(resolved);
  const sweepId = sweepIdOf('corner', Date.now());
  const runs = await runMeasuredSweep({
    resolved,
    plan,
    dir: join(ctx.workDir, `${sweepId}-${Date.now().toString(36)}`),
    sweepId,
    log: ctx.log,
    signal: new AbortController().signal,
    sampleHost: () => startHostSampling(),
  });
  const figures = runs.map((r) =>
    cornerFigures(r.record, {
      runnerCores: r.observation?.cores.runner,
      prometheusCores: r.observation?.cores.prometheus,
      exporterCores: r.overheads.exporterCores,
    }),
  );
  const best = largestValidOps(figures);
  const series = runs.map((r) => r.overheads.prometheusSeries);
  const summary = [
    textTable(
      ['OPS', 'validity', 'never fulfilled', 'late', 'p50 ms', 'p99 ms', 'host idle %', 'agents / SUT %'],
      figures.map(runRow),
    ),
    '',
    textTable(
      ['OPS', ...COSTED_PURPOSES.map((p) => `${p} ms/op`)],
      figures.map((f) => [String(f.ops), ...COSTED_PURPOSES.map((p) => fmt(f.cpuMsPerOp[p], 2))]),
    ),
    '',
    ...figures.map(machineShareLine),
    `Prometheus: scrape interval ${TESTBED_SCRAPE_INTERVAL_MS} ms, series ${series.map((s) => fmt(s, 0)).join(' / ')}`,
    ...figures.flatMap((f) => f.reasons.map((r) => `OPS ${f.ops} ${f.validity}: ${clip(r)}`)),
    `largest valid OPS of ${ops.join(', ')}: ${best === undefined ? 'none' : String(best)}`,
  ].join('\n');
  const target = figures.find((f) => f.ops === TARGET_OPS);
  return {
    summary,
    measures: [
      ...figures.flatMap(measuresOf),
      { label: 'largest valid OPS tried', value: orNaN(best), unit: 'ops/s', digits: 0 },
    ],
    checks: target === undefined ? [] : checksOf(target),
    details: {
      spec: resolved.spec,
      figures,
      prometheusSeries: series,
      runs: runs.map((r) => ({ key: r.run.key, factors: r.run.factors, record: r.record })),
    },
  };
}
