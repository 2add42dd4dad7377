/**
 * Every file shipped under metrics/ (pure), generated from one options object so the Prometheus
 * config, its manifests and the dashboards never drift apart. `kos-test metrics generate` writes
 * them; a test checks the committed copies equal this output.
 */
import { renderDashboards } from './grafana/dashboards.js';
import { renderDashboardProvider, renderDatasource } from './grafana/provisioning.js';
import { renderClusterConfig } from './cluster-config.js';
import type { MetricsOptions } from './cluster-config-options.js';
import { renderManifests } from './manifests.js';

export interface ShippedFile {
  /** Relative to the metrics directory. */
  path: string;
  content: string;
}

export function shippedMetricsFiles(o: MetricsOptions): ShippedFile[] {
  return [
    { path: 'prometheus/prometheus.yml', content: renderClusterConfig(o) },
    { path: 'prometheus/manifests.yaml', content: renderManifests(o) },
    { path: 'grafana/datasources/prometheus.yaml', content: renderDatasource(o.namespace) },
    { path: 'grafana/dashboard-providers/kos-test.yaml', content: renderDashboardProvider() },
    ...renderDashboards().map((d) => ({ path: `grafana/dashboards/${d.file}`, content: d.json })),
  ];
}
