/** `kos-test metrics manifests` (pure): Prometheus's objects, then Grafana's, as one YAML stream. */
import { stringify } from 'yaml';
import { GENERATED_HEADER } from '../cluster-config.js';
import type { MetricsOptions } from '../cluster-config-options.js';
import { buildManifests, type PrometheusManifest } from '../manifests.js';
import { buildGrafanaManifests, type GrafanaManifest } from './grafana-manifests.js';

export function buildStackManifests(o: MetricsOptions): (PrometheusManifest | GrafanaManifest)[] {
  return [...buildManifests(o), ...buildGrafanaManifests(o)];
}

export function renderManifests(o: MetricsOptions): string {
  return (
    GENERATED_HEADER +
    buildStackManifests(o)
      .map((m) => stringify(m, { lineWidth: 0, aliasDuplicateObjects: false }))
      .join('---\n')
  );
}
