/**
 * The seed's agent counts on this machine (issue testbed-2): for NCA = 600, 1,200 and 1,800 hollow
 * agents, the driver keeps POP = 2,000 attachments (VNs shaped as it shapes them) at OPS = 20, and
 * we report the agent watches the napis hold, fulfilment latency from planned in cruise, what was
 * lost, and CPU per purpose over the cruise window (Prometheus on data0, the experiment's own cost
 * collection). Target: at NCA = 1,800, fulfilment p99 < 2 s and nothing lost.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { collectCosts } from '../src/costs/collect-costs.js';
import { nodePurposesFromKube } from '../src/costs/kube-node-purposes.js';
import { cleanupRuns } from '../src/driver/cleanup.js';
import type { DriveSummary } from '../src/driver/drive-summary.js';
import { runDrive } from '../src/driver/run-drive.js';
import { solveTopNetSize } from '../src/experiment/plan/solve-top-net-size.js';
import { RestClient } from '../src/kube/rest-client.js';
import type { CostTable } from '../src/measure/cost-table.js';
import { parseSamples, sumOf } from '../src/testbed/exporter/prom-text.js';
import { Testbed } from '../src/testbed/supervisor/testbed.js';
import type { BenchContext } from './benchmark.js';
import { check, type BenchReport, type Measure } from './report.js';

const LEVELS = [600, 1200, 1800] as const;
const POP = 2000;
const OPS = 20;
const NUM_NETS = 40;
const TARGET_P99_MS = 2000;

interface LevelResult {
  nca: number;
  watchesMax: number;
  summary: DriveSummary;
  costs: CostTable | undefined;
  costError: string | undefined;
}

async function napiWatches(testbed: Testbed): Promise<number> {
  let total = 0;
  for (const p of testbed.status().processes.filter((q) => q.purpose === 'napi')) {
    const url = p.endpoints.metrics ?? `${p.endpoints.api ?? ''}/metrics`;
    const text = await (await fetch(url)).text();
    total +=
      sumOf(
        parseSamples(text, (n) => n === 'apiserver_registered_watchers'),
        'apiserver_registered_watchers',
      ) ?? 0;
  }
  return total;
}

/** Waits until the napis hold a watch per agent (each agent's node watch is its first). */
export async function waitForAgents(testbed: Testbed, nca: number, log: (m: string) => void): Promise<void> {
  const deadline = performance.now() + 300_000;
  for (;;) {
    const held = await napiWatches(testbed);
    if (held >= nca) return;
    if (performance.now() > deadline) throw new Error(`only ${held} of ${nca} agent watches after 300 s`);
    log(`waiting for agents: ${held}/${nca} watches`);
    await sleep(2000);
  }
}

export async function runAgentScale(ctx: BenchContext): Promise<BenchReport> {
  const cruiseSeconds = ctx.options.seconds ?? 60;
  const { topNetSize, slots: pop } = solveTopNetSize({ numNets: NUM_NETS, exponent: 1, bias: 0 }, POP);
  // Creates: the fill, then one per delete+create pair of the cruise (OPS counts both).
  const numAttachments = pop + Math.round((OPS * cruiseSeconds) / 2);
  const testbed = await Testbed.up({
    dir: join(ctx.workDir, 'testbed'),
    config: { nca: LEVELS[0], nna: 1, nka: 1 },
    log: ctx.log,
  });
  const front = new RestClient({ server: testbed.frontUrls[0] ?? '' });
  const results: LevelResult[] = [];
  try {
    const nodePurposes = await nodePurposesFromKube(testbed.kubeconfigPath);
    for (const nca of LEVELS) {
      if (testbed.shape.nca !== nca) await testbed.scale({ nca });
      await waitForAgents(testbed, nca, ctx.log);
      const runId = `scale-${String(nca)}`;
      let watchesMax = 0;
      const sampling = new AbortController();
      const sampler = (async () => {
        while (!sampling.signal.aborted) {
          watchesMax = Math.max(watchesMax, await napiWatches(testbed).catch(() => 0));
          await sleep(2000);
        }
      })();
      ctx.log(
        `NCA ${String(nca)}: driving POP ${String(pop)} at ${String(OPS)} ops/s, ${String(cruiseSeconds)} s cruise`,
      );
      const summary = await runDrive(
        {
          runId,
          numNets: NUM_NETS,
          topNetSize,
          numAttachments,
          rate: OPS,
          outDir: join(ctx.workDir, 'runs'),
          metricsPort: 0,
          waitAfterDelete: 5000,
          graceMs: 30_000,
        },
        { kubeconfigPath: testbed.kubeconfigPath, log: ctx.log },
      ).finally(() => {
        sampling.abort();
      });
      await sampler;
      const cruise = summary.phases.cruise;
      let costs: CostTable | undefined;
      let costError: string | undefined;
      try {
        costs = await collectCosts({
          prometheusUrl: testbed.prometheusUrl ?? '',
          fromMs: cruise.window.startMs,
          toMs: cruise.window.endMs,
          ops: cruise.ops.issued,
          nodePurposes,
          interfaceFilter: 'lo',
        });
      } catch (e: unknown) {
        costError = e instanceof Error ? e.message : String(e);
      }
      results.push({ nca, watchesMax, summary, costs, costError });
      await cleanupRuns(front, { runId });
    }
  } finally {
    await front.close();
    await testbed.down();
  }
  return report(results, { pop, topNetSize, numAttachments, cruiseSeconds });
}

function lost(s: DriveSummary): number {
  const o = s.total.outcomes;
  return o.broken + o.neverFulfilled + o.createFailed;
}

function report(
  results: LevelResult[],
  cfg: { pop: number; topNetSize: number; numAttachments: number; cruiseSeconds: number },
): BenchReport {
  const measures: Measure[] = [];
  for (const r of results) {
    const c = r.summary.phases.cruise;
    const at = `NCA ${String(r.nca)}`;
    measures.push(
      { label: `${at}: agent watches held (max)`, value: r.watchesMax, unit: '', digits: 0 },
      { label: `${at}: cruise ops/s achieved`, value: c.achievedRate, unit: '/s', digits: 2 },
      {
        label: `${at}: fulfilment p50 (from planned)`,
        value: c.latency.fulfilmentFromPlanned.p50Ms ?? NaN,
        unit: 'ms',
      },
      {
        label: `${at}: fulfilment p99 (from planned)`,
        value: c.latency.fulfilmentFromPlanned.p99Ms ?? NaN,
        unit: 'ms',
      },
      { label: `${at}: attachments lost (all phases)`, value: lost(r.summary), unit: '', digits: 0 },
    );
    for (const p of r.costs?.purposes ?? []) {
      measures.push({
        label: `${at}: ${p.purpose} CPU (mean per node)`,
        value: p.mean.cpuCores ?? NaN,
        unit: 'cores',
        digits: 3,
      });
    }
  }
  const top = results.find((r) => r.nca === LEVELS[LEVELS.length - 1]);
  const p99 = top?.summary.phases.cruise.latency.fulfilmentFromPlanned.p99Ms ?? NaN;
  return {
    summary:
      `NCA ${LEVELS.join(', ')} hollow agents; POP ${String(cfg.pop)} over ${String(NUM_NETS)} VNs ` +
      `(topNetSize ${String(cfg.topNetSize)}), OPS ${String(OPS)}, ${String(cfg.cruiseSeconds)} s cruise; ` +
      'latency from the planned create time to the agent fulfilment seen by the driver.',
    measures,
    checks: [
      check(`NCA ${String(LEVELS[LEVELS.length - 1])}: fulfilment p99`, p99, '<', TARGET_P99_MS, 'ms'),
      check(
        `NCA ${String(LEVELS[LEVELS.length - 1])}: attachments lost`,
        top === undefined ? NaN : lost(top.summary),
        '==',
        0,
        '',
        0,
      ),
    ],
    details: {
      config: { ...cfg, levels: LEVELS, ops: OPS, numNets: NUM_NETS },
      levels: results.map((r) => ({
        nca: r.nca,
        watchesMax: r.watchesMax,
        cruise: r.summary.phases.cruise,
        total: r.summary.total,
        costs: r.costs ?? null,
        costError: r.costError ?? null,
      })),
    },
  };
}
