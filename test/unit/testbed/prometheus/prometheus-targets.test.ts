import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fileSdContent,
  sampleCompGroups,
  testbedPrometheusConfig,
} from '../../../../src/testbed/prometheus/testbed-config.js';
import { testbedTargets } from '../../../../src/testbed/prometheus/testbed-targets.js';
import { parse } from 'yaml';

const processes: { name: string; purpose: string; endpoints: Record<string, string> }[] = [
  {
    name: 'netcd0',
    purpose: 'netcd',
    endpoints: { client: 'http://127.1.0.1:2379', metrics: 'http://127.1.0.1:2381/metrics' },
  },
  {
    name: 'napi0',
    purpose: 'napi',
    endpoints: { api: 'http://127.2.0.1:4000', metrics: 'http://127.2.0.1:4000/metrics' },
  },
  { name: 'kctrl0', purpose: 'kctrl', endpoints: { metrics: 'http://127.6.0.1:4001/metrics' } },
  { name: 'comp-group0', purpose: 'comp', endpoints: { metrics: 'http://127.10.0.1:4002/metrics' } },
  { name: 'weird0', purpose: 'napi', endpoints: { api: 'http://127.2.0.2:1' } },
];

describe('the testbed Prometheus scrape targets', () => {
  const t = testbedTargets({
    processes,
    exporterMetrics: 'http://127.20.0.1:4194/metrics',
    driverMetrics: ['http://127.21.0.1:9376/metrics'],
  });

  it('labels every node target with node, purpose and kos_role_<purpose>, like the cluster relabelling', () => {
    assert.deepEqual(t.napi, [
      {
        url: 'http://127.2.0.1:4000/metrics',
        labels: { node: 'napi0', purpose: 'napi', kos_role_napi: 'true' },
      },
    ]);
    assert.deepEqual(t.netcd[0]?.labels, { node: 'netcd0', purpose: 'netcd', kos_role_netcd: 'true' });
    assert.deepEqual(t.driver[0]?.labels, { node: 'base0', purpose: 'base', kos_role_base: 'true' });
  });

  it('gives agent groups a group label (agents label their own series node), and no node label', () => {
    assert.deepEqual(t.comp, [
      {
        url: 'http://127.10.0.1:4002/metrics',
        labels: { group: 'comp-group0', purpose: 'comp', kos_role_comp: 'true' },
      },
    ]);
  });

  it('skips processes without a metrics endpoint; no driver target when there is no driver', () => {
    assert.equal(t.napi.length, 1);
    const none = testbedTargets({ processes, exporterMetrics: undefined, driverMetrics: [] });
    assert.deepEqual([none.driver, none.cadvisor], [[], []]);
  });

  it('samples agent groups as a cluster samples comp nodes: all up to 10, then comp-group*0', () => {
    const groups = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `comp-group${i}` }));
    assert.equal(sampleCompGroups(groups(10)).length, 10);
    assert.deepEqual(
      sampleCompGroups(groups(25)).map((g) => g.name),
      ['comp-group0', 'comp-group10', 'comp-group20'],
    );
  });

  it('writes file_sd groups with the metrics path and labels', () => {
    assert.deepEqual(JSON.parse(fileSdContent(t.napi)), [
      {
        targets: ['127.2.0.1:4000'],
        labels: { __metrics_path__: '/metrics', node: 'napi0', purpose: 'napi', kos_role_napi: 'true' },
      },
    ]);
  });

  it('configures one file_sd job per target kind, a short interval, exporter labels honoured', () => {
    const config = parse(testbedPrometheusConfig({ sdDir: '/x/sd', scrapeIntervalMs: 2000 })) as {
      global: Record<string, unknown>;
      scrape_configs: { job_name: string; honor_labels?: boolean; file_sd_configs: { files: string[] }[] }[];
    };
    assert.equal(config.global.scrape_interval, '2000ms');
    assert.deepEqual(
      config.scrape_configs.map((j) => j.job_name),
      ['cadvisor', 'netcd', 'ketcd', 'napi', 'kapi', 'kctrl', 'nctrl', 'comp', 'driver'],
    );
    assert.equal(config.scrape_configs[0]?.honor_labels, true);
    assert.deepEqual(config.scrape_configs[3]?.file_sd_configs[0]?.files, ['/x/sd/napi.json']);
  });
});
