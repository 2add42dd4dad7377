/**
 * Relabel rules shared by the cluster's scrape jobs (pure). Every per-node series gets the
 * node's name as `node`, its `kos-role/*` labels as `kos_role_*`, and a `purpose` label, so the
 * cost PromQL groups the same way on a cluster as on the testbed (whose exporter serves `node`
 * and `purpose` itself).
 */

/** One entry of a job's relabel_configs, in Prometheus's own field names. */
export interface RelabelConfig {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: 'replace' | 'keep' | 'drop' | 'labelmap' | 'labeldrop' | 'labelkeep';
}

/** Prometheus's name for a Kubernetes label or annotation key in meta labels. */
export function metaName(
  kind: 'node_label' | 'node_annotation' | 'pod_annotation' | 'service_annotation',
  key: string,
): string {
  return `__meta_kubernetes_${kind}_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

const PURPOSE_TEMP = '__tmp_kos_purpose';

/**
 * `node`, `kos_role_*` and `purpose` from the node's meta labels. `nodeNameLabel` is the meta
 * label holding the node's name for this role (node role: __meta_kubernetes_node_name).
 * A node with several roles gets the first of `purposes` it has (all stay in kos_role_*), the
 * same choice cost collection makes from the labels.
 */
export function nodeIdentityRules(nodeNameLabel: string, purposes: readonly string[]): RelabelConfig[] {
  const rules: RelabelConfig[] = [
    {
      source_labels: [nodeNameLabel],
      regex: '(.+)',
      target_label: 'node',
      replacement: '$1',
      action: 'replace',
    },
    { action: 'labelmap', regex: '__meta_kubernetes_node_label_kos_role_(.+)', replacement: 'kos_role_$1' },
  ];
  for (const purpose of purposes) {
    // Matches only while no earlier purpose has been set: the first one wins.
    rules.push({
      source_labels: [PURPOSE_TEMP, metaName('node_label', `kos-role/${purpose}`)],
      regex: ';true',
      target_label: PURPOSE_TEMP,
      replacement: purpose,
    });
  }
  rules.push({ source_labels: [PURPOSE_TEMP], regex: '(.+)', target_label: 'purpose', replacement: '$1' });
  return rules;
}

/** Keep nodes whose annotation `key` is "true". */
export function keepAnnotatedNodes(key: string): RelabelConfig {
  return { source_labels: [metaName('node_annotation', key)], regex: 'true', action: 'keep' };
}

/** Keep nodes carrying label `key`="true" (e.g. kos-role/base). */
export function keepLabelledNodes(key: string): RelabelConfig {
  return { source_labels: [metaName('node_label', key)], regex: 'true', action: 'keep' };
}

/** Point a node target (the kubelet's address) at another port of the same host. */
export function nodePort(port: number): RelabelConfig {
  return {
    source_labels: ['__address__'],
    regex: '(.+?)(?::[0-9]+)?',
    target_label: '__address__',
    replacement: `$1:${port}`,
  };
}

/**
 * The seed's sampling: keep a pod (or a service's endpoint) annotated `prometheus.io/scrape=true`
 * on any node, or annotated `prometheus.io/sample=true` on a node whose name matches
 * `sampledNodes` (so a few of many comp agents are scraped).
 */
export function samplingKeep(
  kind: 'pod' | 'service',
  nodeNameLabel: string,
  sampledNodes: string,
): RelabelConfig {
  const annotation = kind === 'pod' ? 'pod_annotation' : 'service_annotation';
  return {
    source_labels: [
      metaName(annotation, 'prometheus.io/scrape'),
      metaName(annotation, 'prometheus.io/sample'),
      nodeNameLabel,
    ],
    regex: `true;.*|[^;]*;true;(${sampledNodes})`,
    action: 'keep',
  };
}

/** `prometheus.io/path`, `prometheus.io/port` (and for services `prometheus.io/scheme`). */
export function annotationTargetRules(kind: 'pod' | 'service'): RelabelConfig[] {
  const annotation = kind === 'pod' ? 'pod_annotation' : 'service_annotation';
  const rules: RelabelConfig[] = [
    {
      source_labels: [metaName(annotation, 'prometheus.io/path')],
      regex: '(.+)',
      target_label: '__metrics_path__',
      replacement: '$1',
    },
    {
      source_labels: ['__address__', metaName(annotation, 'prometheus.io/port')],
      regex: '(.+?)(?::[0-9]+)?;([0-9]+)',
      target_label: '__address__',
      replacement: '$1:$2',
    },
  ];
  if (kind === 'service') {
    rules.unshift({
      source_labels: [metaName(annotation, 'prometheus.io/scheme')],
      regex: '(https?)',
      target_label: '__scheme__',
      replacement: '$1',
    });
  }
  return rules;
}
