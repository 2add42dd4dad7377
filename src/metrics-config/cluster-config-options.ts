/**
 * Options of the cluster's Prometheus configuration and manifests, each with its default beside
 * it. The schema is the edge: CLI flags and library callers both go through `parseMetricsOptions`.
 */
import { z } from 'zod';
import { COSTED_PURPOSES } from '../measure/cost-table.js';
import { durationPattern, parseDurationMs, type DurationSyntax } from '../util/duration.js';
import { KosTestError } from '../util/errors.js';
import { parseChecked } from '../util/zod-error.js';

/** Prometheus's own duration syntax: whole numbers, units up to years, terms in a row. */
const PROMETHEUS_DURATION: DurationSyntax = {
  units: ['ms', 's', 'm', 'h', 'd', 'w', 'y'],
  compound: true,
  integers: true,
};
const duration = z
  .string()
  .regex(new RegExp(durationPattern(PROMETHEUS_DURATION)), 'a Prometheus duration such as 10s, 1m or 14d');
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
  return parseChecked(metricsOptionsSchema, input, (f) => {
    const key = f.issue === undefined ? '?' : f.dotted;
    return new KosTestError({
      what: `bad metrics option ${key} (--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)})`,
      value: f.value === undefined ? 'missing' : JSON.stringify(f.value),
      fix: f.issue?.message ?? 'see --help',
    });
  });
}

/** Seconds in a Prometheus duration (already matched by `duration`). */
export function seconds(text: string): number {
  return (parseDurationMs(text, PROMETHEUS_DURATION) ?? Number.NaN) / 1000;
}
