/**
 * Every dashboard query run by a real Prometheus through /api/v1/query. Prometheus scrapes a
 * loopback endpoint serving the real registries of the testbed's agents and nctrl, the testbed
 * exporter's cAdvisor-named node costs, and the driver's families under their documented names,
 * so the queries meet real label sets (and the cost queries must return one series per purpose).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import {
  DRIVER_COUNTERS,
  DRIVER_HISTOGRAMS,
} from '../../../../src/metrics-config/grafana/kos-metric-names.js';
import { AgentMetrics } from '../../../../src/testbed/comp/agent-metrics.js';
import {
  ERROR_REASONS,
  renderCostMetrics,
  type ErrorReason,
} from '../../../../src/testbed/exporter/cost-metrics.js';
import type { NodeCost } from '../../../../src/testbed/exporter/node-costs.js';
import { IpamMetrics } from '../../../../src/testbed/nctrl/ipam-metrics.js';
import { SubnetValidatorMetrics } from '../../../../src/testbed/nctrl/subnet-validator-metrics.js';
import { dashboardQueries } from '../../../support/dashboard-queries.js';
import { startPrometheus, type PrometheusServer } from '../../../support/prometheus-server.js';

const NODES = [
  ['comp0', 'comp'],
  ['comp1', 'comp'],
  ['napi0', 'napi'],
  ['netcd0', 'netcd'],
] as const;

function sources(): () => Promise<string> {
  const noErrors = Object.fromEntries(ERROR_REASONS.map((r) => [r, 0])) as Record<ErrorReason, number>;
  const agents = new AgentMetrics('g0', { processMetrics: false });
  agents.addAgent({ node: 'comp0', localIfcCount: 3, remoteIfcCount: 7, watchCount: 2, queueLength: 0 });
  const nctrl = new Registry();
  const ipam = new IpamMetrics(nctrl);
  new SubnetValidatorMetrics(nctrl);
  const driver = new Registry();
  const counters = DRIVER_COUNTERS.map((name) => new Counter({ name, help: name, registers: [driver] }));
  const histograms = DRIVER_HISTOGRAMS.map(
    (name) => new Histogram({ name, help: name, buckets: [0.01, 0.1, 1], registers: [driver] }),
  );
  let scrapes = 0;
  return async () => {
    scrapes += 1;
    // Everything moves between scrapes, so rates and quantiles have something to show.
    agents.observeLocalIfc('na', 0.02);
    agents.observeRemoteIfc('na', 0.03);
    agents.observeStatusUpdate('na', 0.04);
    agents.observeImplToRemote('na', 0.01);
    agents.observeFabric('CreateLocalIfc', true, 0.001);
    ipam.lockLatency.observe({ last_client_wr: 'na', contention: 'false' }, 0.2);
    ipam.addressLatency.observe({ last_client_wr: 'na', contention: 'false' }, 0.3);
    ipam.contention.inc();
    for (const c of counters) c.inc(10);
    for (const h of histograms) h.observe(0.05);
    const costs: NodeCost[] = NODES.map(([node, purpose], i) => ({
      node,
      purpose,
      hollow: purpose === 'comp',
      cpuSeconds: scrapes * (i + 1) * 0.1,
      workingSetBytes: (i + 1) * 1e6,
      rssBytes: (i + 1) * 1e6,
      network: { receivedBytes: scrapes * 1000, sentBytes: scrapes * 2000 },
    }));
    const exporter = renderCostMetrics(
      costs,
      { cpuCores: 2, memoryBytes: 1e9 },
      { mode: 'proc', errors: noErrors, lastScrapeSeconds: 0, scrapeCpuSeconds: 0, processes: 4 },
    );
    return [exporter, await agents.metrics(), await nctrl.metrics(), await driver.metrics()].join('\n');
  };
}

interface QueryResult {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string> }[] };
}

describe('the dashboard queries, run by a real Prometheus', () => {
  let server: Server | undefined;
  let prom: PrometheusServer | undefined;
  const run = async (expr: string): Promise<QueryResult> =>
    (await prom?.get(`/api/v1/query?query=${encodeURIComponent(expr)}`)) as QueryResult;

  before(async () => {
    const body = sources();
    server = createServer((_req, res) => {
      void body().then((text) => {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(text);
      });
    });
    await new Promise<void>((done) => server?.listen(0, '127.0.0.1', done));
    const port = (server.address() as AddressInfo).port;
    const config = [
      'global: {scrape_interval: 1s, scrape_timeout: 1s}',
      'scrape_configs:',
      '- job_name: kos-sources',
      `  static_configs: [{targets: ['127.0.0.1:${port}']}]`,
    ].join('\n');
    prom = await startPrometheus(config);
    // Wait until rate() over the window has at least two samples of every node.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const r = await run('count(rate(container_cpu_usage_seconds_total{id="/"}[1m]) > 0)');
      if (r.data?.result.length === 1) break;
      await new Promise((done) => setTimeout(done, 500));
    }
  });
  after(async () => {
    await prom?.stop();
    await new Promise((done) => server?.close(done));
  });

  it('every query runs without error and returns data', async () => {
    // The loopback data is the testbed's: its traffic is on lo.
    const queries = dashboardQueries({ interface: 'lo' });
    assert.ok(queries.length > 20);
    for (const q of queries) {
      const r = await run(q.expr);
      assert.equal(r.status, 'success', `${q.dashboard} / ${q.panel}: ${q.expr}: ${r.error ?? ''}`);
      assert.ok(
        (r.data?.result.length ?? 0) > 0,
        `${q.dashboard} / ${q.panel} returned no series: ${q.expr}`,
      );
    }
  });

  it('the cost panels by purpose give one series per purpose, the per-node ones one per node', async () => {
    const costs = dashboardQueries().filter(
      (q) => q.dashboard === 'kos-node-costs.json' && !q.panel.startsWith('variable'),
    );
    for (const q of costs) {
      const r = await run(q.expr.replace('interface=~"eth[0-3]"', 'interface=~"lo"'));
      const series = r.data?.result.map((s) => s.metric.node ?? s.metric.purpose).sort();
      const expected = q.panel.endsWith('per node')
        ? NODES.map(([n]) => n).sort()
        : ['comp', 'napi', 'netcd'];
      assert.deepEqual(series, expected, `${q.panel}: ${q.expr}`);
    }
  });

  it('the CPU panels sum, average and take the max over the nodes of a purpose', async () => {
    // comp0 and comp1 burn 0.1 and 0.2 CPU-seconds per scrape: sum : mean : max = 0.3 : 0.15 : 0.2,
    // whatever the exact scrape interval, because both move at the same scrapes.
    const cpu = dashboardQueries({ interface: 'lo' }).filter(
      (q) => q.dashboard === 'kos-node-costs.json' && q.panel.startsWith('CPU cores by purpose'),
    );
    const valueFor = async (prefix: string): Promise<number> => {
      const q = cpu.find((c) => c.expr.startsWith(prefix));
      assert.ok(q, prefix);
      const r = (await prom?.get(`/api/v1/query?query=${encodeURIComponent(q.expr)}`)) as {
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      const comp = r.data.result.find((s) => s.metric.purpose === 'comp');
      assert.ok(comp, `${q.expr}: ${JSON.stringify(r.data.result)}`);
      return Number(comp.value[1]);
    };
    const [sum, mean, max] = [await valueFor('sum by'), await valueFor('avg by'), await valueFor('max by')];
    assert.ok(max > 0);
    assert.ok(Math.abs(sum / max - 1.5) < 0.02, `sum ${sum} max ${max}`);
    assert.ok(Math.abs(mean / max - 0.75) < 0.02, `mean ${mean} max ${max}`);
  });

  it('a wrong query is reported as an error (the check can fail)', async () => {
    const r = await run('histogram_quantile(0.5, container_cpu_usage_seconds_total{id="/"}[1m])');
    assert.equal(r.status, 'error');
  });
});
