/**
 * The Kubernetes objects that run Grafana beside the cluster's Prometheus (pure): the datasource,
 * the dashboard provider and the dashboards as ConfigMaps, mounted where Grafana's provisioning
 * reads them, in a Deployment on the data node, with a NodePort Service. Anonymous viewers may
 * look; nothing is stored that the ConfigMaps do not hold.
 */
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IConfigMap, IService } from 'kubernetes-models/v1';
import type { MetricsOptions } from '../cluster-config-options.js';
import { renderDashboards } from './dashboards.js';
import { DASHBOARDS_DIR, renderDashboardProvider, renderDatasource } from './provisioning.js';

export type GrafanaManifest = IConfigMap | IDeployment | IService;

export const GRAFANA_NAME = 'grafana';
const PORT = 3000;
const PROVISIONING = '/etc/grafana/provisioning';

export function buildGrafanaManifests(o: MetricsOptions): GrafanaManifest[] {
  const labels = { app: GRAFANA_NAME };
  const configMap = (suffix: string, data: Record<string, string>): IConfigMap => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${GRAFANA_NAME}-${suffix}`, namespace: o.namespace, labels },
    data,
  });
  const datasources = configMap('datasources', { 'prometheus.yaml': renderDatasource(o.namespace) });
  const providers = configMap('dashboard-providers', {
    'kos-test.yaml': renderDashboardProvider(DASHBOARDS_DIR),
  });
  const dashboards = configMap(
    'dashboards',
    Object.fromEntries(renderDashboards().map((d) => [d.file, d.json])),
  );
  const mounts: [IConfigMap, string][] = [
    [datasources, `${PROVISIONING}/datasources`],
    [providers, `${PROVISIONING}/dashboards`],
    [dashboards, DASHBOARDS_DIR],
  ];
  const deployment: IDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: GRAFANA_NAME, namespace: o.namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          nodeSelector: { [o.dataNodeLabel]: 'true' },
          containers: [
            {
              name: GRAFANA_NAME,
              image: o.grafanaImage,
              env: [
                { name: 'GF_AUTH_ANONYMOUS_ENABLED', value: 'true' },
                { name: 'GF_AUTH_ANONYMOUS_ORG_ROLE', value: 'Viewer' },
              ],
              ports: [{ name: 'web', containerPort: PORT }],
              readinessProbe: { httpGet: { path: '/api/health', port: PORT } },
              volumeMounts: mounts.map(([cm, mountPath]) => ({
                name: cm.metadata?.name ?? '',
                mountPath,
                readOnly: true,
              })),
            },
          ],
          volumes: mounts.map(([cm]) => {
            const name = cm.metadata?.name ?? '';
            return { name, configMap: { name } };
          }),
        },
      },
    },
  };
  const service: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: GRAFANA_NAME, namespace: o.namespace, labels },
    spec: {
      type: 'NodePort',
      selector: labels,
      ports: [{ name: 'web', port: PORT, targetPort: PORT, nodePort: o.grafanaNodePort, protocol: 'TCP' }],
    },
  };
  return [datasources, providers, dashboards, deployment, service];
}
