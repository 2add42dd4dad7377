/**
 * The Prometheus configuration for a real KOS cluster (pure): the jobs of upstream KOS's config,
 * with the seed's differences (the main-etcd-client-tls secret holds ca.pem, cert.pem, key.pem),
 * the driver on base nodes, and per-node identity labels on every per-node series.
 */
import { stringify } from 'yaml';
import type { MetricsOptions } from './cluster-config-options.js';
import {
  annotationTargetRules,
  keepAnnotatedNodes,
  keepLabelledNodes,
  nodeIdentityRules,
  nodePort,
  samplingKeep,
  type RelabelConfig,
} from './relabel-rules.js';

type Role = 'node' | 'pod' | 'endpoints';

export interface ScrapeJob {
  job_name: string;
  scheme?: 'http' | 'https';
  kubernetes_sd_configs: { role: Role; attach_metadata?: { node: boolean } }[];
  tls_config?: { ca_file?: string; cert_file?: string; key_file?: string; insecure_skip_verify?: boolean };
  authorization?: { credentials_file: string };
  relabel_configs: RelabelConfig[];
}

export interface PrometheusConfig {
  global: { scrape_interval: string; scrape_timeout: string; evaluation_interval: string };
  scrape_configs: ScrapeJob[];
}

export const JOB_NAMES = {
  apiservers: 'kubernetes-apiservers',
  etcd: 'kubernetes-etcd',
  cadvisor: 'kubernetes-nodes-cadvisor',
  driver: 'kos-driver',
  serviceEndpoints: 'kubernetes-service-endpoints',
  pods: 'kubernetes-pods',
} as const;

const NODE_NAME = '__meta_kubernetes_node_name';
const POD_NODE_NAME = '__meta_kubernetes_pod_node_name';

export function buildClusterConfig(o: MetricsOptions): PrometheusConfig {
  const sa = {
    tls_config: { ca_file: `${o.serviceAccountDir}/ca.crt` },
    authorization: { credentials_file: `${o.serviceAccountDir}/token` },
  };
  const perNode = (): RelabelConfig[] => nodeIdentityRules(NODE_NAME, o.purposes);
  return {
    global: {
      scrape_interval: o.scrapeInterval,
      scrape_timeout: o.scrapeTimeout,
      evaluation_interval: o.evaluationInterval,
    },
    scrape_configs: [
      {
        job_name: JOB_NAMES.apiservers,
        scheme: 'https',
        kubernetes_sd_configs: [{ role: 'endpoints' }],
        ...sa,
        relabel_configs: [
          {
            source_labels: [
              '__meta_kubernetes_namespace',
              '__meta_kubernetes_service_name',
              '__meta_kubernetes_endpoint_port_name',
            ],
            regex: 'default;kubernetes;https',
            action: 'keep',
          },
          // The apiserver's host, when the endpoint names it, so kapi costs and latencies line up.
          {
            source_labels: ['__meta_kubernetes_endpoint_node_name'],
            regex: '(.+)',
            target_label: 'node',
            replacement: '$1',
          },
        ],
      },
      {
        job_name: JOB_NAMES.etcd,
        scheme: 'https',
        kubernetes_sd_configs: [{ role: 'node' }],
        tls_config: {
          ca_file: `${o.etcdTlsDir}/ca.pem`,
          cert_file: `${o.etcdTlsDir}/cert.pem`,
          key_file: `${o.etcdTlsDir}/key.pem`,
          ...(o.etcdInsecureSkipVerify ? { insecure_skip_verify: true } : {}),
        },
        relabel_configs: [
          keepAnnotatedNodes('prometheus.io/scrape-etcd'),
          nodePort(o.etcdPort),
          ...perNode(),
        ],
      },
      {
        job_name: JOB_NAMES.cadvisor,
        scheme: 'http',
        kubernetes_sd_configs: [{ role: 'node' }],
        relabel_configs: [keepAnnotatedNodes('prometheus.io/scrape'), nodePort(o.cadvisorPort), ...perNode()],
      },
      {
        job_name: JOB_NAMES.driver,
        scheme: 'http',
        kubernetes_sd_configs: [{ role: 'node' }],
        relabel_configs: [keepLabelledNodes('kos-role/base'), nodePort(o.driverPort), ...perNode()],
      },
      {
        job_name: JOB_NAMES.serviceEndpoints,
        kubernetes_sd_configs: [{ role: 'endpoints' }],
        relabel_configs: [
          samplingKeep('service', POD_NODE_NAME, o.sampledNodes),
          ...annotationTargetRules('service'),
          { action: 'labelmap', regex: '__meta_kubernetes_service_label_(.+)' },
          { source_labels: ['__meta_kubernetes_namespace'], target_label: 'kubernetes_namespace' },
          { source_labels: ['__meta_kubernetes_service_name'], target_label: 'kubernetes_name' },
          { source_labels: [POD_NODE_NAME], regex: '(.+)', target_label: 'node', replacement: '$1' },
        ],
      },
      {
        job_name: JOB_NAMES.pods,
        // The pod's node's labels, so KOS components' series carry kos_role_* and purpose too.
        kubernetes_sd_configs: [{ role: 'pod', attach_metadata: { node: true } }],
        relabel_configs: [
          samplingKeep('pod', POD_NODE_NAME, o.sampledNodes),
          ...annotationTargetRules('pod'),
          { action: 'labelmap', regex: '__meta_kubernetes_pod_label_(.+)' },
          { source_labels: ['__meta_kubernetes_namespace'], target_label: 'kubernetes_namespace' },
          { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'kubernetes_pod_name' },
          ...nodeIdentityRules(POD_NODE_NAME, o.purposes),
        ],
      },
    ],
  };
}

export const GENERATED_HEADER =
  '# Generated by `kos-test metrics generate`; edit src/metrics-config/, not this file.\n';

export function renderClusterConfig(o: MetricsOptions): string {
  return GENERATED_HEADER + stringify(buildClusterConfig(o), { lineWidth: 0, aliasDuplicateObjects: false });
}
