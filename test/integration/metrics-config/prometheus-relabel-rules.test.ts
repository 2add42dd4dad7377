/**
 * The generated relabel rules run by a real Prometheus: each case is a target carrying the
 * `__meta_kubernetes_*` labels Kubernetes discovery would give it (fed through file_sd, since
 * Debian's Prometheus has no Kubernetes discovery), and the test reads back from /api/v1/targets
 * whether Prometheus kept it and with which labels. Every address is on loopback.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { scrapeAnnotations } from '../../../src/driver/shards/job-manifest.js';
import { buildClusterConfig, JOB_NAMES } from '../../../src/metrics-config/cluster-config.js';
import { parseMetricsOptions } from '../../../src/metrics-config/cluster-config-options.js';
import { fileSdForm, fileSdTargets, type TargetGroup } from '../../support/file-sd-form.js';
import { startPrometheus, type PrometheusServer } from '../../support/prometheus-server.js';

interface Case {
  name: string;
  job: string;
  address: string;
  meta: Record<string, string>;
  /** undefined: dropped. Otherwise labels the kept target must have (absent: '' means must not have). */
  expect: Record<string, string> | undefined;
}

const node = (name: string, extra: Record<string, string> = {}): Record<string, string> => ({
  __meta_kubernetes_node_name: name,
  ...extra,
});
const role = (p: string): Record<string, string> => ({
  [`__meta_kubernetes_node_label_kos_role_${p}`]: 'true',
});
const scrape = { __meta_kubernetes_node_annotation_prometheus_io_scrape: 'true' };
const pod = (
  nodeName: string,
  annotations: Record<string, string>,
  extra: Record<string, string> = {},
): Record<string, string> => ({
  __meta_kubernetes_namespace: 'example-com',
  __meta_kubernetes_pod_name: `p-${nodeName}`,
  __meta_kubernetes_pod_node_name: nodeName,
  ...Object.fromEntries(
    Object.entries(annotations).map(([k, v]) => [`__meta_kubernetes_pod_annotation_prometheus_io_${k}`, v]),
  ),
  ...extra,
});

const CASES: Case[] = [
  {
    name: 'cAdvisor on an annotated comp node',
    job: JOB_NAMES.cadvisor,
    address: '127.0.0.1:10250',
    meta: node('comp10', { ...scrape, ...role('comp') }),
    expect: { instance: '127.0.0.1:4194', node: 'comp10', kos_role_comp: 'true', purpose: 'comp' },
  },
  {
    name: 'cAdvisor skips an unannotated node',
    job: JOB_NAMES.cadvisor,
    address: '127.0.0.1:10250',
    meta: node('comp11', role('comp')),
    expect: undefined,
  },
  {
    name: 'a node of several purposes gets the first costed one, and all its roles',
    job: JOB_NAMES.cadvisor,
    address: '127.0.0.2:10250',
    meta: node('data0', { ...scrape, ...role('nctrl'), ...role('data'), ...role('netcd'), ...role('napi') }),
    expect: {
      purpose: 'nctrl',
      kos_role_netcd: 'true',
      kos_role_napi: 'true',
      kos_role_nctrl: 'true',
      kos_role_data: 'true',
    },
  },
  {
    name: 'a sub-role label is carried but is no purpose',
    job: JOB_NAMES.cadvisor,
    address: '127.0.0.3:10250',
    meta: node('nctrl0', { ...scrape, ...role('netcd_op'), ...role('nctrl') }),
    expect: { purpose: 'nctrl', kos_role_netcd_op: 'true', kos_role_nctrl: 'true' },
  },
  {
    name: 'an uncosted purpose when the node has nothing else',
    job: JOB_NAMES.cadvisor,
    address: '127.0.0.9:10250',
    meta: node('data0', { ...scrape, ...role('data'), __meta_kubernetes_node_label_kos_role_comp: 'false' }),
    expect: { purpose: 'data', kos_role_data: 'true', kos_role_comp: 'false' },
  },
  {
    name: 'a node without kos-role labels has no purpose',
    job: JOB_NAMES.cadvisor,
    address: '127.0.0.4',
    meta: node('worker7', scrape),
    expect: { instance: '127.0.0.4:4194', node: 'worker7', purpose: '' },
  },
  {
    name: 'an IPv6 node address keeps its brackets',
    job: JOB_NAMES.cadvisor,
    address: '[::1]:10250',
    meta: node('comp30', { ...scrape, ...role('comp') }),
    expect: { instance: '[::1]:4194', node: 'comp30' },
  },
  {
    name: 'kube etcd over TLS on an annotated node',
    job: JOB_NAMES.etcd,
    address: '127.0.0.5:10250',
    meta: node('ketcd0', {
      __meta_kubernetes_node_annotation_prometheus_io_scrape_etcd: 'true',
      ...role('ketcd'),
    }),
    expect: { instance: '127.0.0.5:2379', node: 'ketcd0', purpose: 'ketcd', kos_role_ketcd: 'true' },
  },
  {
    name: 'etcd skips nodes not annotated scrape-etcd',
    job: JOB_NAMES.etcd,
    address: '127.0.0.6:10250',
    meta: node('ketcd1', { ...scrape, ...role('ketcd') }),
    expect: undefined,
  },
  {
    name: 'the driver on a base node',
    job: JOB_NAMES.driver,
    address: '127.0.0.7:10250',
    meta: node('base0', role('base')),
    expect: { instance: '127.0.0.7:9376', node: 'base0', purpose: 'base' },
  },
  {
    name: 'no driver target on a comp node',
    job: JOB_NAMES.driver,
    address: '127.0.0.8:10250',
    meta: node('comp0', { ...scrape, ...role('comp') }),
    expect: undefined,
  },
  {
    name: 'a scrape=true pod on any node, with port and path',
    job: JOB_NAMES.pods,
    address: '127.0.1.1:8080',
    meta: pod(
      'comp11',
      { scrape: 'true', port: '9294', path: '/kos-metrics' },
      { ...role('comp'), __meta_kubernetes_pod_label_app: 'connection-agent' },
    ),
    expect: {
      instance: '127.0.1.1:9294',
      node: 'comp11',
      purpose: 'comp',
      kos_role_comp: 'true',
      app: 'connection-agent',
      kubernetes_namespace: 'example-com',
      kubernetes_pod_name: 'p-comp11',
    },
  },
  {
    name: 'a sampled agent on comp20',
    job: JOB_NAMES.pods,
    address: '127.0.1.2:9294',
    meta: pod('comp20', { sample: 'true', port: '9295' }, role('comp')),
    expect: { instance: '127.0.1.2:9295', node: 'comp20', purpose: 'comp' },
  },
  {
    name: "a driver shard of `drive --emit-job`, by its pod template's annotations",
    job: JOB_NAMES.pods,
    address: '127.0.1.5:80',
    meta: pod(
      'base0',
      Object.fromEntries(
        Object.entries(scrapeAnnotations(9376)).map(([k, v]) => [k.replace('prometheus.io/', ''), v]),
      ),
      { ...role('base'), __meta_kubernetes_pod_label_app: 'attachment-tput-driver' },
    ),
    expect: { instance: '127.0.1.5:9376', node: 'base0', purpose: 'base', app: 'attachment-tput-driver' },
  },
  {
    name: 'an IPv6 pod address gets the annotated port',
    job: JOB_NAMES.pods,
    address: '[::1]:9294',
    meta: pod('comp40', { scrape: 'true', port: '9300' }),
    expect: { instance: '[::1]:9300', node: 'comp40' },
  },
  {
    name: 'an unsampled agent on comp21',
    job: JOB_NAMES.pods,
    address: '127.0.1.3:9294',
    meta: pod('comp21', { sample: 'true' }, role('comp')),
    expect: undefined,
  },
  {
    name: 'a sampled pod on a controller node',
    job: JOB_NAMES.pods,
    address: '127.0.1.4:9294',
    meta: pod('nctrl0', { sample: 'true' }, role('nctrl')),
    expect: { purpose: 'nctrl' },
  },
  {
    name: 'a pod without annotations',
    job: JOB_NAMES.pods,
    address: '127.0.1.5:9294',
    meta: pod('comp10', {}),
    expect: undefined,
  },
  {
    name: 'a scrape=true service endpoint with scheme and port',
    job: JOB_NAMES.serviceEndpoints,
    address: '127.0.2.1:443',
    meta: {
      __meta_kubernetes_namespace: 'example-com',
      __meta_kubernetes_service_name: 'network-api',
      __meta_kubernetes_service_annotation_prometheus_io_scrape: 'true',
      __meta_kubernetes_service_annotation_prometheus_io_scheme: 'https',
      __meta_kubernetes_service_annotation_prometheus_io_port: '9443',
      __meta_kubernetes_service_label_app: 'network-apiserver',
      __meta_kubernetes_pod_node_name: 'napi0',
    },
    expect: {
      instance: '127.0.2.1:9443',
      kubernetes_name: 'network-api',
      app: 'network-apiserver',
      node: 'napi0',
    },
  },
  {
    name: 'an unsampled service endpoint',
    job: JOB_NAMES.serviceEndpoints,
    address: '127.0.2.2:9294',
    meta: {
      __meta_kubernetes_service_annotation_prometheus_io_sample: 'true',
      __meta_kubernetes_pod_node_name: 'comp31',
    },
    expect: undefined,
  },
  {
    name: 'the default/kubernetes https endpoints are the apiservers',
    job: JOB_NAMES.apiservers,
    address: '127.0.3.1:6443',
    meta: {
      __meta_kubernetes_namespace: 'default',
      __meta_kubernetes_service_name: 'kubernetes',
      __meta_kubernetes_endpoint_port_name: 'https',
    },
    expect: { instance: '127.0.3.1:6443', job: JOB_NAMES.apiservers },
  },
  {
    name: 'other endpoints are not apiservers',
    job: JOB_NAMES.apiservers,
    address: '127.0.3.2:443',
    meta: {
      __meta_kubernetes_namespace: 'default',
      __meta_kubernetes_service_name: 'other',
      __meta_kubernetes_endpoint_port_name: 'https',
    },
    expect: undefined,
  },
];

interface ApiTarget {
  discoveredLabels: Record<string, string>;
  labels?: Record<string, string>;
  scrapeUrl?: string;
}

describe('the relabel rules, run by a real Prometheus', () => {
  let prom: PrometheusServer | undefined;
  let active = new Map<string, ApiTarget>();
  let dropped = new Map<string, ApiTarget>();

  before(async () => {
    const o = parseMetricsOptions({
      scrapeInterval: '1h',
      scrapeTimeout: '10s',
      etcdInsecureSkipVerify: true,
    });
    const config = buildClusterConfig(o);
    for (const j of config.scrape_configs) {
      // The TLS and token files are not needed to relabel; keep promtool-style checks out of this test.
      delete j.tls_config;
      delete j.authorization;
    }
    const files: Record<string, string> = {};
    for (const j of Object.values(JOB_NAMES)) {
      const groups: TargetGroup[] = CASES.map((c, i) => ({ c, i }))
        .filter(({ c }) => c.job === j)
        .map(({ c, i }) => ({ targets: [c.address], labels: { ...c.meta, case: String(i) } }));
      files[`${j}.json`] = fileSdTargets(groups);
    }
    prom = await startPrometheus(fileSdForm(config, '$DIR'), files);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = await prom.get('/api/v1/targets?state=any');
      const data = r.data as { activeTargets: ApiTarget[]; droppedTargets: ApiTarget[] };
      const key = (t: ApiTarget): string => t.discoveredLabels.case ?? '?';
      active = new Map(data.activeTargets.map((t) => [key(t), t]));
      dropped = new Map(data.droppedTargets.map((t) => [key(t), t]));
      if (active.size + dropped.size >= CASES.length || Date.now() > deadline) break;
      await new Promise((res) => setTimeout(res, 250));
    }
  });
  after(async () => {
    await prom?.stop();
  });

  for (const [i, c] of CASES.entries()) {
    it(c.name, () => {
      const key = String(i);
      if (c.expect === undefined) {
        assert.ok(
          dropped.has(key),
          `case ${key} was not dropped: ${JSON.stringify(active.get(key)?.labels)}`,
        );
        return;
      }
      const t = active.get(key);
      assert.ok(
        t?.labels,
        `case ${key} was dropped (discovered: ${JSON.stringify(dropped.get(key)?.discoveredLabels)})`,
      );
      for (const [label, value] of Object.entries(c.expect)) {
        assert.equal(t.labels[label] ?? '', value, `label ${label} of ${JSON.stringify(t.labels)}`);
      }
      // Temporary and meta labels never reach the series.
      assert.ok(
        Object.keys(t.labels).every((l) => !l.startsWith('__')),
        JSON.stringify(t.labels),
      );
    });
  }

  it('scrapes https and the annotated path where asked', () => {
    const etcd = active.get(String(CASES.findIndex((c) => c.job === JOB_NAMES.etcd)));
    assert.equal(etcd?.scrapeUrl, 'https://127.0.0.5:2379/metrics');
    const podCase = active.get(String(CASES.findIndex((c) => c.name.startsWith('a scrape=true pod'))));
    assert.equal(podCase?.scrapeUrl, 'http://127.0.1.1:9294/kos-metrics');
    const svc = active.get(String(CASES.findIndex((c) => c.job === JOB_NAMES.serviceEndpoints)));
    assert.equal(svc?.scrapeUrl, 'https://127.0.2.1:9443/metrics');
  });
});
