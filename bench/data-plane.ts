/**
 * data-plane (issue 18): what the driver's data-plane tests cost the control plane on the
 * testbed. One testbed of NCA 600 hollow agents with the real data plane (root); the same drive
 * (POP ~300 over 40 VNs, OPS 20) at `--test-fraction 0` (A) and 0.1 (B), in the order A B B A
 * (`--rounds` pairs, default 2) so a drift of the shared machine cancels. Reported per pair: the cruise fulfilment p99 (from
 * planned) of B over A (target: below 1.10), the CPU of the agent groups' process trees (their
 * interfaces, commands and pings) per tested attachment, and ready-to-tested p50 / p99.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { cleanupRuns } from '../src/driver/cleanup.js';
import type { DriveSummary } from '../src/driver/drive-summary.js';
import { runDrive } from '../src/driver/run-drive.js';
import { solveTopNetSize } from '../src/experiment/plan/solve-top-net-size.js';
import { RestClient } from '../src/kube/rest-client.js';
import { Testbed } from '../src/testbed/supervisor/testbed.js';
import { KosTestError } from '../src/util/errors.js';
import { waitForAgents } from './agent-scale.js';
import { median } from './bench-kit.js';
import type { BenchContext } from './benchmark.js';
import { machineBusySeconds, treeCpuSeconds } from './proc-stats.js';
import { check, type BenchReport, type Measure } from './report.js';

const NCA = 600;
const POP = 300;
const OPS = 20;
const NUM_NETS = 40;
const FRACTIONS = { A: 0, B: 0.1 } as const;
type Level = keyof typeof FRACTIONS;
const TARGET_RATIO = 1.1;
/** Pairs of runs (--rounds): A B, then B A, and so on, so a drift of the machine cancels. */
const DEFAULT_PAIRS = 2;

/** A B B A A B ... for `pairs` pairs (pure). */
export function alternation(pairs: number): Level[] {
  return Array.from({ length: pairs }, (_, i): Level[] => (i % 2 === 0 ? ['A', 'B'] : ['B', 'A'])).flat();
}

interface DataPlaneRun {
  level: Level;
  testFraction: number;
  summary: DriveSummary;
  /** CPU seconds of the agent groups' process trees over the drive. */
  compCpuS: number;
  /** CPU seconds of the testbed's other processes (napi, etcd, controllers, kube front). */
  testbedCpuS: number;
  /** CPU seconds of this process (the driver runs in it). */
  driverCpuS: number;
  /** CPU seconds of everything else on the machine over the drive (other helpers' builds). */
  othersCpuS: number;
  seconds: number;
  loadAvg: number;
}

export async function runDataPlane(ctx: BenchContext): Promise<BenchReport> {
  const cruiseSeconds = ctx.options.seconds ?? 60;
  const order = alternation(ctx.options.rounds ?? DEFAULT_PAIRS);
  const { topNetSize, slots: pop } = solveTopNetSize({ numNets: NUM_NETS, exponent: 1, bias: 0 }, POP);
  const numAttachments = pop + Math.round((OPS * cruiseSeconds) / 2);
  const testbed = await Testbed.up({
    dir: join(ctx.workDir, 'testbed'),
    config: { nca: NCA, nna: 1, nka: 1, prometheus: false },
    log: ctx.log,
  });
  const front = new RestClient({ server: testbed.frontUrls[0] ?? '' });
  const runs: DataPlaneRun[] = [];
  try {
    const dataPlane = testbed.status().dataPlane;
    if ('off' in dataPlane) {
      throw new KosTestError({
        what: 'the data-plane benchmark needs the testbed data plane',
        value: dataPlane.off,
        fix: 'run it as root with iproute2, iputils-ping and util-linux installed',
      });
    }
    await waitForAgents(testbed, NCA, ctx.log);
    for (const [i, level] of order.entries()) {
      const testFraction = FRACTIONS[level];
      const running = testbed.status().processes.filter((p) => p.running);
      const treeCpu = (comp: boolean): number =>
        running
          .filter((p) => (p.purpose === 'comp') === comp)
          .reduce((sum, p) => sum + treeCpuSeconds(p.pid), 0);
      const compCpu = (): number => treeCpu(true);
      const restCpu = (): number => treeCpu(false);
      const runId = `dp-${String(i + 1)}-${level.toLowerCase()}`;
      ctx.log(
        `run ${String(i + 1)} (${level}): --test-fraction ${String(testFraction)}, ${String(numAttachments)} creates`,
      );
      const began = {
        ms: performance.now(),
        comp: compCpu(),
        rest: restCpu(),
        machine: machineBusySeconds(),
        ours: process.cpuUsage(),
      };
      const summary = await runDrive(
        {
          runId,
          numNets: NUM_NETS,
          topNetSize,
          numAttachments,
          rate: OPS,
          testFraction,
          outDir: join(ctx.workDir, 'runs'),
          metricsPort: 0,
          waitAfterDelete: 5000,
          graceMs: 30_000,
        },
        { kubeconfigPath: testbed.kubeconfigPath, log: ctx.log },
      );
      const compCpuS = compCpu() - began.comp;
      const testbedCpuS = restCpu() - began.rest;
      const ours = process.cpuUsage(began.ours);
      const driverCpuS = (ours.user + ours.system) / 1e6;
      const seconds = (performance.now() - began.ms) / 1000;
      const othersCpuS = Math.max(
        0,
        machineBusySeconds() - began.machine - compCpuS - testbedCpuS - driverCpuS,
      );
      runs.push({
        level,
        testFraction,
        summary,
        compCpuS,
        testbedCpuS,
        driverCpuS,
        othersCpuS,
        seconds,
        loadAvg: loadavg()[0] ?? NaN,
      });
      await cleanupRuns(front, { runId });
    }
  } finally {
    await front.close();
    await testbed.down();
  }
  return report(runs, { pop, topNetSize, numAttachments, cruiseSeconds, order });
}

const p99 = (r: DataPlaneRun | undefined): number =>
  r?.summary.phases.cruise.latency.fulfilmentFromPlanned.p99Ms ?? NaN;

const tests = (r: DataPlaneRun): number => {
  const t = r.summary.tests;
  return t === undefined
    ? 0
    : t.full.tested + t.full.testFailed + t.setupOnly.tested + t.setupOnly.testFailed;
};

/** The (A, B) runs of each pair of the alternation. */
function pairs(runs: readonly DataPlaneRun[]): { a: DataPlaneRun; b: DataPlaneRun }[] {
  const out: { a: DataPlaneRun; b: DataPlaneRun }[] = [];
  for (let i = 0; i + 1 < runs.length; i += 2) {
    const [x, y] = [runs[i], runs[i + 1]];
    if (x === undefined || y === undefined) continue;
    out.push(x.level === 'A' ? { a: x, b: y } : { a: y, b: x });
  }
  return out;
}

function report(
  runs: DataPlaneRun[],
  cfg: { pop: number; topNetSize: number; numAttachments: number; cruiseSeconds: number; order: Level[] },
): BenchReport {
  const measures: Measure[] = [];
  for (const [i, r] of runs.entries()) {
    const at = `run ${String(i + 1)} ${r.level} (fraction ${String(r.testFraction)})`;
    const f = r.summary.phases.cruise.latency.fulfilmentFromPlanned;
    const t = r.summary.tests;
    measures.push(
      { label: `${at}: cruise fulfilment p50`, value: f.p50Ms ?? NaN, unit: 'ms' },
      { label: `${at}: cruise fulfilment p99`, value: f.p99Ms ?? NaN, unit: 'ms' },
      { label: `${at}: agent groups' CPU (with their commands)`, value: r.compCpuS, unit: 's', digits: 2 },
      { label: `${at}: tests reported`, value: tests(r), unit: '', digits: 0 },
      {
        label: `${at}: tests failed`,
        value: (t?.full.testFailed ?? 0) + (t?.setupOnly.testFailed ?? 0),
        unit: '',
        digits: 0,
      },
      {
        label: `${at}: ready-to-tested p50 (full)`,
        value: t?.latency.readyToTested.p50Ms ?? NaN,
        unit: 'ms',
      },
      {
        label: `${at}: ready-to-tested p99 (full)`,
        value: t?.latency.readyToTested.p99Ms ?? NaN,
        unit: 'ms',
      },
      { label: `${at}: rest of the testbed's CPU`, value: r.testbedCpuS, unit: 's', digits: 2 },
      { label: `${at}: driver's CPU`, value: r.driverCpuS, unit: 's', digits: 2 },
      {
        label: `${at}: other processes' CPU (other helpers' load)`,
        value: r.othersCpuS / r.seconds,
        unit: 'cores',
        digits: 2,
      },
      { label: `${at}: load average (1 min) at its end`, value: r.loadAvg, unit: '', digits: 1 },
    );
  }
  const ps = pairs(runs);
  for (const [i, { a, b }] of ps.entries()) {
    const at = `pair ${String(i + 1)}`;
    measures.push(
      { label: `${at}: fulfilment p99 B / A`, value: p99(b) / p99(a), unit: 'x', digits: 2 },
      {
        label: `${at}: CPU per tested attachment (B - A)`,
        value: ((b.compCpuS - a.compCpuS) * 1000) / tests(b),
        unit: 'ms',
      },
    );
  }
  const sum = (xs: number[]): number => xs.reduce((s, x) => s + x, 0);
  // One disturbed run (other helpers' builds) moves a p99 several-fold: the check takes the
  // median of the pair ratios; the ratio of the pairs' sums is shown beside it.
  const ratios = ps.map((p) => p99(p.b) / p99(p.a));
  const ratio = median(ratios);
  const sumRatio = sum(ps.map((p) => p99(p.b))) / sum(ps.map((p) => p99(p.a)));
  const cpuEach = (sum(ps.map((p) => p.b.compCpuS - p.a.compCpuS)) * 1000) / sum(ps.map((p) => tests(p.b)));
  measures.push(
    { label: 'all pairs: CPU per tested attachment', value: cpuEach, unit: 'ms' },
    { label: 'all pairs: fulfilment p99, sum of B / sum of A', value: sumRatio, unit: 'x', digits: 2 },
  );
  // The noise floor: the same fraction twice on this machine, larger p99 over smaller.
  for (const level of ['A', 'B'] as const) {
    const same = runs.filter((r) => r.level === level).map(p99);
    if (same.length > 1)
      measures.push({
        label: `noise: fulfilment p99 of the ${level} runs, largest / smallest`,
        value: Math.max(...same) / Math.min(...same),
        unit: 'x',
        digits: 2,
      });
  }
  return {
    summary:
      `NCA ${String(NCA)} hollow agents with the real data plane; POP ${String(cfg.pop)} over ${String(NUM_NETS)} VNs, ` +
      `OPS ${String(OPS)}, ${String(cfg.cruiseSeconds)} s cruise; --test-fraction 0 (A) and 0.1 (B) in the order ` +
      `${cfg.order.join(' ')} on one testbed; fulfilment from planned; CPU of the agent groups' process trees.`,
    measures,
    checks: [check('fulfilment p99, fraction 0.1 / 0 (median of pairs)', ratio, '<', TARGET_RATIO, 'x', 2)],
    details: {
      config: { ...cfg, nca: NCA, ops: OPS, numNets: NUM_NETS, fractions: FRACTIONS },
      runs: runs.map((r) => ({
        level: r.level,
        testFraction: r.testFraction,
        compCpuS: r.compCpuS,
        testbedCpuS: r.testbedCpuS,
        driverCpuS: r.driverCpuS,
        othersCpuS: r.othersCpuS,
        seconds: r.seconds,
        loadAvg: r.loadAvg,
        cruise: r.summary.phases.cruise,
        tests: r.summary.tests ?? null,
        stopped: r.summary.stopped ?? null,
      })),
    },
  };
}
