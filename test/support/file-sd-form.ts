/**
 * The generated config with each job's kubernetes_sd_configs swapped for a file_sd_configs, so
 * Debian's Prometheus (built without Kubernetes discovery) can check and run every other part
 * of it: TLS, auth, schemes and all relabel rules. Targets written to `<dir>/<job>.json` carry
 * the `__meta_kubernetes_*` labels Kubernetes discovery would give them.
 */
import { stringify } from 'yaml';
import type { PrometheusConfig } from '../../src/metrics-config/cluster-config.js';

export function fileSdForm(
  config: PrometheusConfig,
  dir: string,
  global: Partial<PrometheusConfig['global']> = {},
): string {
  const scrape_configs = config.scrape_configs.map(({ kubernetes_sd_configs: _dropped, ...job }) => ({
    ...job,
    file_sd_configs: [{ files: [`${dir}/${job.job_name}.json`] }],
  }));
  return stringify(
    { global: { ...config.global, ...global }, scrape_configs },
    { aliasDuplicateObjects: false },
  );
}

export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

export function fileSdTargets(groups: TargetGroup[]): string {
  return JSON.stringify(groups);
}
