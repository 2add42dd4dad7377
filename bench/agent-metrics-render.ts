/**
 * agent-metrics-render: CPU per /metrics render of one agent group (40 agents, every metric
 * observed), prom-client's generic `Registry.metrics()` (what the testbed served before ADR 0037's
 * lean render) against the group's lean `metrics()`, alternated in rounds in one process. Prints
 * lean / registry; checks that both render the same text.
 */
import { cpuUsage } from 'node:process';
import { populatedAgentMetrics } from '../test/support/agent-metrics-fixture.js';
import { median } from './bench-kit.js';
import type { BenchContext } from './benchmark.js';
import { check, type BenchReport, type Measure } from './report.js';

const AGENTS = 40;
const OBSERVATIONS = 20_000;
const RENDERS_PER_ROUND = 300;
const DEFAULT_ROUNDS = 5;
const TARGET_RATIO = 0.25;

/** Process CPU ms per render (user + system), over `n` renders. */
async function cpuMsPerRender(render: () => Promise<string>, n: number): Promise<number> {
  const before = cpuUsage();
  for (let i = 0; i < n; i++) await render();
  const used = cpuUsage(before);
  return (used.user + used.system) / 1000 / n;
}

export async function runAgentMetricsRender(ctx: BenchContext): Promise<BenchReport> {
  const { metrics } = populatedAgentMetrics('comp-group0', AGENTS, OBSERVATIONS);
  const registry = (): Promise<string> => metrics.registry.metrics();
  const lean = (): Promise<string> => metrics.metrics();
  const same = (await lean()) === (await registry());
  const rounds = ctx.options.rounds ?? DEFAULT_ROUNDS;
  await cpuMsPerRender(registry, RENDERS_PER_ROUND); // warm-up of both paths
  await cpuMsPerRender(lean, RENDERS_PER_ROUND);
  const measured: { registry: number; lean: number; ratio: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    const old = await cpuMsPerRender(registry, RENDERS_PER_ROUND);
    const now = await cpuMsPerRender(lean, RENDERS_PER_ROUND);
    measured.push({ registry: old, lean: now, ratio: now / old });
    ctx.log(`round ${r + 1}: registry ${old.toFixed(3)} ms, lean ${now.toFixed(3)} ms per render`);
  }
  const ratio = median(measured.map((m) => m.ratio));
  const measures: Measure[] = measured.flatMap((m, i) => [
    { label: `round ${i + 1}: registry.metrics() CPU per render`, value: m.registry, unit: 'ms', digits: 3 },
    { label: `round ${i + 1}: lean metrics() CPU per render`, value: m.lean, unit: 'ms', digits: 3 },
    { label: `round ${i + 1}: lean / registry`, value: m.ratio, unit: 'x', digits: 3 },
  ]);
  const lines = (await lean()).split('\n').length;
  return {
    summary:
      `one agent group's /metrics (${AGENTS} agents, ${OBSERVATIONS} observations per histogram family, ` +
      `${lines} lines), ${RENDERS_PER_ROUND} renders per path per round, alternated; process CPU per render.`,
    measures,
    checks: [
      check('lean text equals the registry text', same ? 1 : 0, '==', 1),
      check('CPU per render, lean / registry (median of rounds)', ratio, '<=', TARGET_RATIO, 'x', 3),
    ],
    details: { rounds: measured, lines },
  };
}
