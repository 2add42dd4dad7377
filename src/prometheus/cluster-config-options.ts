/**
 * Options of the cluster's Prometheus configuration and manifests, each with its default beside
 * it. The schema is the edge: CLI flags and library callers both go through `parseMetricsOptions`.
 */
import { z } from 'zod';
import { COSTED_PURPOSES } from '../measure/cost-table.js';
import { KosTestError } from '../util/errors.js';

const duration = z
  .string()
  .regex(/^([0-9]+(ms|s|m|h|d|w|y))+$/, 'a Prometheus duration such as 10s, 1m or 14d');
const port = z.number().int().min(1).max(65535);
const absolutePath = z.string().regex(/^\/.*[^/]$/, 'an absolute path without a trailing slash');
const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a lowercase RFC 1123 label');
const purposeName = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a purpose such as comp');

/** The costed purposes first (cost collection prefers them in this order), then the others. */
export const DEFAULT_PURPOSES = [...COSTED_PURPOSES, 'base', 'obs', 'data'];

export const metricsOptionsSchema = z
  .object({
    /** @default '10s' (upstream KOS) */
    scrapeInterval: duration.default('10s'),
    /** @default '10s'; must not exceed scrapeInterval */
    scrapeTimeout: duration.default('10s'),
    /** @default '10s' */
    evaluationInterval: duration.default('10s'),
    /** Where the main-etcd-client-tls secret (ca.pem, cert.pem, key.pem) is mounted. @default '/etc/main-etcd-client-tls' */
    etcdTlsDir: absolutePath.default('/etc/main-etcd-client-tls'),
    /** Skip verifying etcd's serving certificate (upstream KOS did). @default false */
    etcdInsecureSkipVerify: z.boolean().default(false),
    /** @default 2379 */
    etcdPort: port.default(2379),
    /** @default 4194 (the seed's cAdvisor systemd unit) */
    cadvisorPort: port.default(4194),
    /** The driver's metrics port on base nodes. @default 9376 */
    driverPort: port.default(9376),
    /** The pod's service account mount (token and CA of the apiservers). */
    serviceAccountDir: absolutePath.default('/var/run/secrets/kubernetes.io/serviceaccount'),
    /**
     * Nodes whose pods annotated `prometheus.io/sample=true` are scraped (a Prometheus regex,
     * anchored, on the pod's node name). @default upstream's: nodes named by address, every
     * tenth comp node (name ends in 0), and controller nodes.
     */
    sampledNodes: z.string().min(1).default('[0-9.]*|.*comp[0-9]*0|.*ctrl[0-9]*'),
    /** A per-node series' `purpose` label: the first of these the node has a kos-role label for. */
    purposes: z.array(purposeName).min(1).default(DEFAULT_PURPOSES),
    /** @default 'default' */
    namespace: dnsLabel.default('default'),
    /** @default 'prom/prometheus:v2.53.0' (>= 2.35 for attach_metadata) */
    image: z.string().min(1).default('prom/prometheus:v2.53.0'),
    /** @default 'grafana/grafana:11.2.0' */
    grafanaImage: z.string().min(1).default('grafana/grafana:11.2.0'),
    /** NodePort of Grafana's Service. @default 30300 */
    grafanaNodePort: z.number().int().min(30000).max(32767).default(30300),
    /** @default '14d' (upstream KOS) */
    retention: duration.default('14d'),
    /** @default 30909 */
    nodePort: z.number().int().min(30000).max(32767).default(30909),
    /** The node label the Deployment is pinned to (value "true"). @default 'kos-role/data' */
    dataNodeLabel: z.string().min(1).default('kos-role/data'),
    /** The TSDB's directory on the data node. @default '/var/lib/prometheus' */
    hostDataDir: absolutePath.default('/var/lib/prometheus'),
  })
  .superRefine((o, ctx) => {
    if (seconds(o.scrapeTimeout) > seconds(o.scrapeInterval)) {
      ctx.addIssue({ code: 'custom', path: ['scrapeTimeout'], message: 'must not exceed scrapeInterval' });
    }
  });

export type MetricsOptions = z.output<typeof metricsOptionsSchema>;
export type MetricsOptionsInput = z.input<typeof metricsOptionsSchema>;

export function parseMetricsOptions(input: MetricsOptionsInput = {}): MetricsOptions {
  const result = metricsOptionsSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = issue?.path.join('.') ?? '?';
  const value = issue === undefined ? undefined : lookup(input, issue.path);
  throw new KosTestError({
    what: `bad metrics option ${key} (--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)})`,
    value: value === undefined ? 'missing' : JSON.stringify(value),
    fix: issue?.message ?? 'see --help',
  });
}

const UNIT_SECONDS: Record<string, number> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  y: 31536000,
};

/** Seconds in a Prometheus duration (already matched by `duration`). */
export function seconds(text: string): number {
  let total = 0;
  for (const m of text.matchAll(/([0-9]+)(ms|s|m|h|d|w|y)/g))
    total += Number(m[1]) * (UNIT_SECONDS[m[2] ?? 's'] ?? 1);
  return total;
}

function lookup(input: unknown, path: readonly PropertyKey[]): unknown {
  let at: unknown = input;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}
