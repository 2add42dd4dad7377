import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Deployment } from 'kubernetes-models/apps/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
import { parse, parseAllDocuments } from 'yaml';
import { renderDashboards } from '../../../src/metrics-config/grafana/dashboards.js';
import { buildGrafanaManifests } from '../../../src/metrics-config/grafana/grafana-manifests.js';
import { renderDatasource } from '../../../src/metrics-config/grafana/provisioning.js';
import { renderClusterConfig } from '../../../src/metrics-config/cluster-config.js';
import { parseMetricsOptions } from '../../../src/metrics-config/cluster-config-options.js';
import { renderManifests } from '../../../src/metrics-config/grafana/stack-manifests.js';
import { buildManifests, CONFIG_KEY } from '../../../src/metrics-config/manifests.js';

/** kubernetes-models' validators, compiled from the official OpenAPI schemas, by kind. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  ServiceAccount,
  ClusterRole,
  ClusterRoleBinding,
  ConfigMap,
  Deployment,
  Service,
};

function validate(object: { kind?: unknown }): void {
  const Model = MODELS[String(object.kind)];
  assert.ok(Model, `no schema for kind ${String(object.kind)}`);
  new Model(object as never).validate();
}

function documents(text: string): Record<string, unknown>[] {
  return parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown>);
}

describe('the Prometheus manifests', () => {
  const o = parseMetricsOptions();
  const text = renderManifests(o);
  const docs = documents(text);

  it("are Prometheus's six objects and Grafana's five, each valid against the Kubernetes OpenAPI schema", () => {
    assert.deepEqual(
      docs.map((d) => `${String(d.kind)}/${(d.metadata as { name: string }).name}`),
      [
        'ServiceAccount/prometheus',
        'ClusterRole/prometheus',
        'ClusterRoleBinding/prometheus',
        'ConfigMap/prometheus',
        'Deployment/prometheus',
        'Service/prometheus',
        'ConfigMap/grafana-datasources',
        'ConfigMap/grafana-dashboard-providers',
        'ConfigMap/grafana-dashboards',
        'Deployment/grafana',
        'Service/grafana',
      ],
    );
    for (const d of docs) validate(d);
  });

  it('the schema check rejects a broken object', () => {
    const broken = structuredClone(docs.find((d) => d.kind === 'Deployment')) as {
      spec: { template: { spec: { containers: { ports: { containerPort: unknown }[] }[] } } };
    };
    const port = broken.spec.template.spec.containers[0]?.ports[0];
    assert.ok(port);
    port.containerPort = '9090';
    assert.throws(() => {
      validate(broken as never);
    }, /containerPort must be integer/);
    const service = structuredClone(docs.find((d) => d.kind === 'Service')) as { spec: { ports: unknown } };
    service.spec.ports = 'web';
    assert.throws(() => {
      validate(service as never);
    }, /ports must be array/);
  });

  it('pin Prometheus to the data node, mount the config and the etcd client secret', () => {
    const deployment = buildManifests(o).find((m) => m.kind === 'Deployment');
    const pod = deployment?.kind === 'Deployment' ? deployment.spec?.template.spec : undefined;
    assert.ok(pod);
    assert.deepEqual(pod.nodeSelector, { 'kos-role/data': 'true' });
    assert.equal(pod.serviceAccountName, 'prometheus');
    const mounts = pod.containers[0]?.volumeMounts ?? [];
    assert.deepEqual(
      mounts.map((m) => [m.name, m.mountPath]),
      [
        ['config', '/etc/prometheus'],
        ['data', '/prometheus'],
        ['main-etcd-client-tls', '/etc/main-etcd-client-tls'],
      ],
    );
    assert.deepEqual(pod.volumes?.find((v) => v.name === 'main-etcd-client-tls')?.secret, {
      secretName: 'main-etcd-client-tls',
      optional: true,
    });
    assert.ok(pod.containers[0]?.args?.includes('--storage.tsdb.retention.time=14d'));
    assert.ok(pod.containers[0]?.args?.includes(`--config.file=/etc/prometheus/${CONFIG_KEY}`));
  });

  it('serve Prometheus on NodePort 30909 and hold exactly the generated config', () => {
    const service = docs.find((d) => d.kind === 'Service') as {
      spec: { type: string; ports: { nodePort: number }[] };
    };
    assert.equal(service.spec.type, 'NodePort');
    assert.equal(service.spec.ports[0]?.nodePort, 30909);
    const configMap = docs.find((d) => d.kind === 'ConfigMap') as { data: Record<string, string> };
    assert.equal(configMap.data[CONFIG_KEY], renderClusterConfig(o));
  });

  it('follow the options: namespace, node port, image, retention, data node label', () => {
    const custom = parseMetricsOptions({
      namespace: 'monitoring',
      nodePort: 31000,
      image: 'quay.io/prometheus/prometheus:v2.55.1',
      retention: '30d',
      dataNodeLabel: 'kos-role/obs',
      etcdTlsDir: '/etc/etcd-tls',
    });
    const custDocs = documents(renderManifests(custom));
    for (const d of custDocs) validate(d);
    const text2 = JSON.stringify(custDocs);
    for (const expected of [
      '"namespace":"monitoring"',
      '"nodePort":31000',
      'quay.io/prometheus/prometheus:v2.55.1',
      'retention.time=30d',
      '"kos-role/obs":"true"',
      '"mountPath":"/etc/etcd-tls"',
    ]) {
      assert.ok(text2.includes(expected), expected);
    }
    const binding = custDocs.find((d) => d.kind === 'ClusterRoleBinding') as {
      subjects: { namespace: string }[];
    };
    assert.equal(binding.subjects[0]?.namespace, 'monitoring');
  });

  it('provision Grafana from ConfigMaps: the Prometheus datasource, the provider, every shipped dashboard', () => {
    const grafana = buildGrafanaManifests(o);
    const deployment = grafana.find((m) => m.kind === 'Deployment');
    const pod = deployment?.kind === 'Deployment' ? deployment.spec?.template.spec : undefined;
    assert.ok(pod);
    assert.deepEqual(pod.nodeSelector, { 'kos-role/data': 'true' });
    const mountOf = (configMap: string): string | undefined => {
      const volume = pod.volumes?.find((v) => v.configMap?.name === configMap)?.name;
      return pod.containers[0]?.volumeMounts?.find((m) => m.name === volume)?.mountPath;
    };
    const data = (name: string): Record<string, string> => {
      const cm = grafana.find((m) => m.kind === 'ConfigMap' && m.metadata?.name === name);
      return cm?.kind === 'ConfigMap' ? (cm.data ?? {}) : {};
    };
    assert.equal(mountOf('grafana-datasources'), '/etc/grafana/provisioning/datasources');
    assert.equal(mountOf('grafana-dashboard-providers'), '/etc/grafana/provisioning/dashboards');
    assert.deepEqual(data('grafana-datasources'), { 'prometheus.yaml': renderDatasource('default') });
    const provider = parse(data('grafana-dashboard-providers')['kos-test.yaml'] ?? '') as {
      providers: { options: { path: string } }[];
    };
    assert.equal(mountOf('grafana-dashboards'), provider.providers[0]?.options.path);
    assert.deepEqual(
      data('grafana-dashboards'),
      Object.fromEntries(renderDashboards().map((d) => [d.file, d.json])),
    );
    const service = grafana.find((m) => m.kind === 'Service');
    assert.equal(service?.kind === 'Service' ? service.spec?.ports?.[0]?.nodePort : undefined, 30300);
  });

  it('grant discovery read access and nothing to secrets', () => {
    const role = docs.find((d) => d.kind === 'ClusterRole') as {
      rules: { resources?: string[]; verbs: string[] }[];
    };
    assert.deepEqual(role.rules[0]?.resources, ['nodes', 'services', 'endpoints', 'pods']);
    assert.deepEqual(role.rules[0].verbs, ['get', 'list', 'watch']);
    assert.ok(!JSON.stringify(role).includes('secrets'));
  });
});
