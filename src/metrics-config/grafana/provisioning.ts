/** Grafana provisioning files (pure): the Prometheus datasource and the dashboards' provider. */
import { stringify } from 'yaml';
import { PROMETHEUS_NAME } from '../manifests.js';

export const DATASOURCE_UID = 'kos-prometheus';

/** Grafana in the cluster reaches Prometheus through its Service. */
export function renderDatasource(namespace: string): string {
  return stringify({
    apiVersion: 1,
    datasources: [
      {
        name: 'Prometheus (KOS)',
        uid: DATASOURCE_UID,
        type: 'prometheus',
        access: 'proxy',
        url: `http://${PROMETHEUS_NAME}.${namespace}.svc:9090`,
        isDefault: true,
        jsonData: { timeInterval: '10s' },
      },
    ],
  });
}

/** Dashboards are read from `path` (where metrics/grafana/dashboards/ is mounted). */
export function renderDashboardProvider(path = '/var/lib/grafana/dashboards/kos'): string {
  return stringify({
    apiVersion: 1,
    providers: [{ name: 'kos-test', folder: 'KOS', type: 'file', disableDeletion: false, options: { path } }],
  });
}
