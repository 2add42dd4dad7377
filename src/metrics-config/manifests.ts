/**
 * The Kubernetes objects that run Prometheus on a KOS cluster (pure): ServiceAccount, ClusterRole
 * and binding for discovery, the ConfigMap holding the generated config, a Deployment pinned to
 * the data node that mounts the main-etcd-client-tls secret, and a NodePort Service. Typed with
 * kubernetes-models' interfaces, so a misspelt field fails to compile.
 */
import type { IClusterRole, IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IConfigMap, IService, IServiceAccount } from 'kubernetes-models/v1';
import { stringify } from 'yaml';
import { GENERATED_HEADER, renderClusterConfig } from './cluster-config.js';
import type { MetricsOptions } from './cluster-config-options.js';

export type PrometheusManifest =
  IServiceAccount | IClusterRole | IClusterRoleBinding | IConfigMap | IDeployment | IService;

export const PROMETHEUS_NAME = 'prometheus';
export const CONFIG_KEY = 'prometheus.yml';
export const ETCD_SECRET = 'main-etcd-client-tls';
const PORT = 9090;
/** The prom/prometheus image runs as nobody. */
const PROMETHEUS_UID = 65534;

export function buildManifests(o: MetricsOptions): PrometheusManifest[] {
  const name = PROMETHEUS_NAME;
  const labels = { app: name };
  const metadata = { name, namespace: o.namespace, labels };
  const serviceAccount: IServiceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata };
  const clusterRole: IClusterRole = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels },
    rules: [
      {
        apiGroups: [''],
        resources: ['nodes', 'services', 'endpoints', 'pods'],
        verbs: ['get', 'list', 'watch'],
      },
      { nonResourceURLs: ['/metrics'], verbs: ['get'] },
    ],
  };
  const binding: IClusterRoleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace: o.namespace }],
  };
  const configMap: IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata,
    data: { [CONFIG_KEY]: renderClusterConfig(o) },
  };
  const deployment: IDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: 1,
      // One TSDB on a hostPath: the old pod must let go of its lock before the new one starts.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: name,
          nodeSelector: { [o.dataNodeLabel]: 'true' },
          initContainers: [
            {
              name: 'data-owner',
              image: o.image,
              command: ['/bin/sh', '-c', `chown ${PROMETHEUS_UID}:${PROMETHEUS_UID} /prometheus`],
              securityContext: { runAsUser: 0 },
              volumeMounts: [{ name: 'data', mountPath: '/prometheus' }],
            },
          ],
          containers: [
            {
              name,
              image: o.image,
              args: [
                `--config.file=/etc/prometheus/${CONFIG_KEY}`,
                '--storage.tsdb.path=/prometheus',
                `--storage.tsdb.retention.time=${o.retention}`,
              ],
              ports: [{ name: 'web', containerPort: PORT }],
              readinessProbe: { httpGet: { path: '/-/ready', port: PORT } },
              securityContext: { runAsUser: PROMETHEUS_UID },
              volumeMounts: [
                { name: 'config', mountPath: '/etc/prometheus', readOnly: true },
                { name: 'data', mountPath: '/prometheus' },
                { name: ETCD_SECRET, mountPath: o.etcdTlsDir, readOnly: true },
              ],
            },
          ],
          volumes: [
            { name: 'config', configMap: { name } },
            { name: 'data', hostPath: { path: o.hostDataDir, type: 'DirectoryOrCreate' } },
            // Optional, as upstream: without it only the etcd job fails.
            { name: ETCD_SECRET, secret: { secretName: ETCD_SECRET, optional: true } },
          ],
        },
      },
    },
  };
  const service: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { ...metadata, annotations: { 'prometheus.io/scrape': 'true' } },
    spec: {
      type: 'NodePort',
      selector: labels,
      ports: [{ name: 'web', port: PORT, targetPort: PORT, nodePort: o.nodePort, protocol: 'TCP' }],
    },
  };
  return [serviceAccount, clusterRole, binding, configMap, deployment, service];
}

export function renderManifests(o: MetricsOptions): string {
  return (
    GENERATED_HEADER +
    buildManifests(o)
      .map((m) => stringify(m, { lineWidth: 0, aliasDuplicateObjects: false }))
      .join('---\n')
  );
}
