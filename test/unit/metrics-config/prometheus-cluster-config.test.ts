import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { z } from 'zod';
import {
  buildClusterConfig,
  JOB_NAMES,
  renderClusterConfig,
} from '../../../src/metrics-config/cluster-config.js';
import {
  parseMetricsOptions,
  seconds,
  type MetricsOptionsInput,
} from '../../../src/metrics-config/cluster-config-options.js';
import { KosTestError } from '../../../src/util/errors.js';

/** Prometheus anchors every relabel regex: ^(?:regex)$. These patterns mean the same in RE2 and JS. */
function fullMatch(regex: string, value: string): boolean {
  return new RegExp(`^(?:${regex})$`).test(value);
}

function job(name: string, input: MetricsOptionsInput = {}) {
  const found = buildClusterConfig(parseMetricsOptions(input)).scrape_configs.find(
    (j) => j.job_name === name,
  );
  assert.ok(found, `no job ${name}`);
  return found;
}

describe('the cluster Prometheus config', () => {
  it('has the jobs of upstream KOS plus the driver, each discovered through Kubernetes', () => {
    const config = buildClusterConfig(parseMetricsOptions());
    assert.deepEqual(
      config.scrape_configs.map((j) => [j.job_name, j.kubernetes_sd_configs[0]?.role]),
      [
        [JOB_NAMES.apiservers, 'endpoints'],
        [JOB_NAMES.etcd, 'node'],
        [JOB_NAMES.cadvisor, 'node'],
        [JOB_NAMES.driver, 'node'],
        [JOB_NAMES.serviceEndpoints, 'endpoints'],
        [JOB_NAMES.pods, 'pod'],
      ],
    );
    assert.deepEqual(config.global, {
      scrape_interval: '10s',
      scrape_timeout: '10s',
      evaluation_interval: '10s',
    });
  });

  it('reads etcd client TLS from the seed secret keys ca.pem, cert.pem and key.pem', () => {
    const cases: { input: MetricsOptionsInput; dir: string; skip: boolean | undefined }[] = [
      { input: {}, dir: '/etc/main-etcd-client-tls', skip: undefined },
      { input: { etcdTlsDir: '/tmp/x' }, dir: '/tmp/x', skip: undefined },
      { input: { etcdInsecureSkipVerify: true }, dir: '/etc/main-etcd-client-tls', skip: true },
    ];
    for (const c of cases) {
      const j = job(JOB_NAMES.etcd, c.input);
      assert.deepEqual(j.tls_config, {
        ca_file: `${c.dir}/ca.pem`,
        cert_file: `${c.dir}/cert.pem`,
        key_file: `${c.dir}/key.pem`,
        ...(c.skip === undefined ? {} : { insecure_skip_verify: c.skip }),
      });
      assert.equal(j.scheme, 'https');
    }
  });

  it('scrapes the apiservers over https with the service account', () => {
    const j = job(JOB_NAMES.apiservers, { serviceAccountDir: '/sa' });
    assert.deepEqual(j.tls_config, { ca_file: '/sa/ca.crt' });
    assert.deepEqual(j.authorization, { credentials_file: '/sa/token' });
    assert.equal(j.relabel_configs[0]?.regex, 'default;kubernetes;https');
  });

  it('moves node targets to the configured ports', () => {
    const cases: { job: string; input: MetricsOptionsInput; replacement: string }[] = [
      { job: JOB_NAMES.cadvisor, input: {}, replacement: '$1:4194' },
      { job: JOB_NAMES.cadvisor, input: { cadvisorPort: 8080 }, replacement: '$1:8080' },
      { job: JOB_NAMES.etcd, input: {}, replacement: '$1:2379' },
      { job: JOB_NAMES.driver, input: {}, replacement: '$1:9376' },
      { job: JOB_NAMES.driver, input: { driverPort: 9400 }, replacement: '$1:9400' },
    ];
    for (const c of cases) {
      const rule = job(c.job, c.input).relabel_configs.find((r) => r.target_label === '__address__');
      assert.equal(rule?.replacement, c.replacement, c.job);
      const addresses: [string, string][] = [
        ['10.0.0.5:10250', '10.0.0.5'],
        ['node7', 'node7'],
        ['10.0.0.5:1', '10.0.0.5'],
        ['[fd00::5]:10250', '[fd00::5]'],
        ['node7.example:10250', 'node7.example'],
      ];
      for (const [address, host] of addresses) {
        assert.equal(new RegExp(`^(?:${rule.regex ?? ''})$`).exec(address)?.[1], host, `${c.job} ${address}`);
      }
    }
  });

  it('samples prometheus.io/sample pods on upstream KOS nodes only, and scrape=true pods everywhere', () => {
    const regex = job(JOB_NAMES.pods).relabel_configs[0]?.regex ?? '';
    const cases: { scrape: string; sample: string; node: string; kept: boolean }[] = [
      { scrape: 'true', sample: '', node: 'comp11', kept: true },
      { scrape: 'true', sample: 'true', node: 'anything', kept: true },
      { scrape: '', sample: 'true', node: 'comp10', kept: true },
      { scrape: '', sample: 'true', node: 'comp0', kept: true },
      { scrape: '', sample: 'true', node: 'r12s24-comp120', kept: true },
      { scrape: '', sample: 'true', node: 'comp11', kept: false },
      { scrape: '', sample: 'true', node: 'comp101', kept: false },
      { scrape: '', sample: 'true', node: 'nctrl0', kept: true },
      { scrape: '', sample: 'true', node: 'kctrl2', kept: true },
      { scrape: '', sample: 'true', node: '10.1.2.3', kept: true },
      { scrape: '', sample: 'true', node: 'napi0', kept: false },
      { scrape: 'false', sample: 'false', node: 'comp10', kept: false },
      { scrape: '', sample: '', node: 'comp10', kept: false },
      { scrape: 'True', sample: '', node: 'comp10', kept: false },
    ];
    for (const c of cases) {
      assert.equal(fullMatch(regex, `${c.scrape};${c.sample};${c.node}`), c.kept, JSON.stringify(c));
    }
    const custom = job(JOB_NAMES.pods, { sampledNodes: 'comp[0-9]*[147]0' }).relabel_configs[0]?.regex ?? '';
    assert.equal(fullMatch(custom, ';true;comp140'), true);
    assert.equal(fullMatch(custom, ';true;comp20'), false);
  });

  it('gives every per-node job the node, kos_role_* and purpose rules', () => {
    for (const name of [JOB_NAMES.etcd, JOB_NAMES.cadvisor, JOB_NAMES.driver, JOB_NAMES.pods]) {
      const rules = job(name).relabel_configs;
      assert.ok(
        rules.some((r) => r.target_label === 'node'),
        name,
      );
      assert.ok(
        rules.some((r) => r.action === 'labelmap' && r.replacement === 'kos_role_$1'),
        name,
      );
      assert.ok(
        rules.some((r) => r.target_label === 'purpose'),
        name,
      );
    }
    assert.deepEqual(job(JOB_NAMES.pods).kubernetes_sd_configs, [
      { role: 'pod', attach_metadata: { node: true } },
    ]);
  });

  it("has kubernetes_sd_configs in Prometheus's schema (Debian's promtool cannot check them)", () => {
    const sd = z
      .object({
        role: z.enum(['node', 'pod', 'endpoints', 'endpointslice', 'service', 'ingress']),
        attach_metadata: z.object({ node: z.boolean() }).strict().optional(),
      })
      .strict()
      .refine(
        (s) => s.attach_metadata === undefined || ['pod', 'endpoints', 'endpointslice'].includes(s.role),
      );
    for (const j of buildClusterConfig(parseMetricsOptions()).scrape_configs) {
      for (const s of j.kubernetes_sd_configs)
        assert.ok(sd.safeParse(s).success, `${j.job_name}: ${JSON.stringify(s)}`);
    }
  });

  it('renders YAML that reads back as the same config, without anchors', () => {
    const o = parseMetricsOptions({ scrapeInterval: '30s', scrapeTimeout: '20s' });
    const text = renderClusterConfig(o);
    assert.deepEqual(parse(text), buildClusterConfig(o));
    assert.doesNotMatch(text, /[&*]a\d/);
  });
});

describe('metrics options', () => {
  it('rejects bad values with the flag and the fix', () => {
    const cases: { input: MetricsOptionsInput; message: RegExp }[] = [
      { input: { scrapeInterval: '10' }, message: /--scrape-interval\): "10" \(a Prometheus duration/ },
      {
        input: { scrapeInterval: '10s', scrapeTimeout: '1m' },
        message: /--scrape-timeout\): "1m" \(must not exceed/,
      },
      { input: { etcdTlsDir: 'relative/dir' }, message: /--etcd-tls-dir\): "relative\/dir"/ },
      { input: { etcdTlsDir: '/etc/x/' }, message: /--etcd-tls-dir/ },
      { input: { nodePort: 9090 }, message: /--node-port\): 9090/ },
      { input: { namespace: 'Default' }, message: /--namespace\): "Default" \(a lowercase RFC 1123 label/ },
      { input: { purposes: [] }, message: /--purposes/ },
      { input: { retention: '14 days' }, message: /--retention/ },
    ];
    for (const c of cases) {
      assert.throws(
        () => parseMetricsOptions(c.input),
        (e: unknown) => e instanceof KosTestError && c.message.test(e.message),
        JSON.stringify(c.input),
      );
    }
  });

  it('reads Prometheus durations', () => {
    const cases: [string, number][] = [
      ['10s', 10],
      ['1m30s', 90],
      ['500ms', 0.5],
      ['14d', 14 * 86400],
      ['1h', 3600],
    ];
    for (const [text, s] of cases) assert.equal(seconds(text), s, text);
  });
});
