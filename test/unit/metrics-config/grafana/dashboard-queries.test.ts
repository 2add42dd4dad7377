import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parser } from '@prometheus-io/lezer-promql';
import { Registry } from 'prom-client';
import { AgentMetrics } from '../../../../src/testbed/comp/agent-metrics.js';
import {
  ERROR_REASONS,
  renderCostMetrics,
  type ErrorReason,
} from '../../../../src/testbed/exporter/cost-metrics.js';
import { IpamMetrics } from '../../../../src/testbed/nctrl/ipam-metrics.js';
import { SubnetValidatorMetrics } from '../../../../src/testbed/nctrl/subnet-validator-metrics.js';
import {
  DRIVER_COUNTERS,
  DRIVER_HISTOGRAMS,
} from '../../../../src/metrics-config/grafana/kos-metric-names.js';
import { dashboardQueries } from '../../../support/dashboard-queries.js';

/** Parse errors (lezer's error nodes) and the metric names of every vector selector. */
function analyse(expr: string): { errors: number[]; metrics: string[] } {
  const errors: number[] = [];
  const metrics: string[] = [];
  const cursor = parser.parse(expr).cursor();
  do {
    if (cursor.type.isError) errors.push(cursor.from);
    if (cursor.name === 'Identifier' && cursor.node.parent?.name === 'VectorSelector') {
      metrics.push(expr.slice(cursor.from, cursor.to));
    }
  } while (cursor.next());
  return { errors, metrics };
}

/** Names in `# TYPE` lines, with a histogram's _bucket, _sum and _count series. */
function exportedNames(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, kind] = m;
    if (name === undefined) continue;
    names.push(name);
    if (kind === 'histogram') names.push(`${name}_bucket`, `${name}_sum`, `${name}_count`);
  }
  return names;
}

async function knownMetricNames(): Promise<Set<string>> {
  const noErrors = Object.fromEntries(ERROR_REASONS.map((r) => [r, 0])) as Record<ErrorReason, number>;
  // The testbed exporter speaks cAdvisor's names, so it stands for cAdvisor here.
  const exporter = renderCostMetrics(
    [
      {
        node: 'comp0',
        purpose: 'comp',
        hollow: false,
        cpuSeconds: 1,
        workingSetBytes: 1,
        rssBytes: 1,
        network: { receivedBytes: 1, sentBytes: 1 },
      },
    ],
    { cpuCores: 2, memoryBytes: 1 },
    { mode: 'proc', errors: noErrors, lastScrapeSeconds: 0, scrapeCpuSeconds: 0, processes: 1 },
  );
  const agents = new AgentMetrics('g0', { processMetrics: false });
  const nctrl = new Registry();
  new IpamMetrics(nctrl);
  new SubnetValidatorMetrics(nctrl);
  const driver = [
    ...DRIVER_COUNTERS,
    ...DRIVER_HISTOGRAMS.flatMap((h) => [`${h}_bucket`, `${h}_sum`, `${h}_count`]),
  ];
  return new Set([
    ...exportedNames(exporter),
    ...exportedNames(await agents.registry.metrics()),
    ...exportedNames(await nctrl.metrics()),
    ...driver,
  ]);
}

describe('the shipped dashboards', () => {
  const queries = dashboardQueries();

  it('have queries for node costs, the driver and the KOS components', () => {
    const byDashboard = new Map<string, number>();
    for (const q of queries) byDashboard.set(q.dashboard, (byDashboard.get(q.dashboard) ?? 0) + 1);
    assert.deepEqual([...byDashboard.keys()].sort(), [
      'kos-components.json',
      'kos-driver.json',
      'kos-node-costs.json',
    ]);
    for (const [d, n] of byDashboard) assert.ok(n >= 5, `${d} has only ${n} queries`);
  });

  it('parse as PromQL, every one', () => {
    for (const q of queries) {
      assert.deepEqual(analyse(q.expr).errors, [], `${q.dashboard} / ${q.panel}: ${q.expr}`);
    }
  });

  it('use only metric names that kos-test or cAdvisor export', async () => {
    const known = await knownMetricNames();
    const used = new Set(queries.flatMap((q) => analyse(q.expr).metrics));
    assert.ok(used.size >= 15, `only ${used.size} metrics used`);
    for (const name of used) assert.ok(known.has(name), `${name} is exported by nothing kos-test knows`);
  });

  it('group node costs by purpose and by node, on whole-node series', () => {
    const costs = queries.filter(
      (q) => q.dashboard === 'kos-node-costs.json' && !q.panel.startsWith('variable'),
    );
    assert.equal(costs.length, 4 * 4);
    for (const q of costs) {
      assert.match(q.expr, /\{id="\/",purpose=~"\.\+"/, q.expr);
      assert.match(q.expr, /^(sum|avg|max) by \((purpose|node, purpose)\)/, q.expr);
    }
  });

  it('the parser check itself rejects broken PromQL', () => {
    const cases = ['sum by (purpose (rate(x[1m]))', 'rate(x[1m]', 'histogram_quantile(0.5, )', 'x{a="b"'];
    for (const expr of cases) assert.notDeepEqual(analyse(expr).errors, [], expr);
  });
});
