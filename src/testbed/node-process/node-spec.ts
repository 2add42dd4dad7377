/**
 * What one testbed node process runs, as data: the supervisor writes it to the node's directory
 * and starts `node-main.js` on it, so each node is its own OS process with its own address.
 * Rewriting the file and sending SIGHUP reconfigures a running node where the component allows.
 */
import { z } from 'zod';
import { loopbackHostSchema as loopbackHost } from '../../net/loopback-host.js';
import { compGroupNodeSpecSchema } from '../comp/comp-group-spec.js';
const port = z.number().int().min(0).max(65535).default(0);
const urls = z.array(z.url()).min(1);

export const napiNodeSpecSchema = z.object({
  component: z.literal('napi'),
  name: z.string(),
  host: loopbackHost,
  port,
  etcdEndpoints: urls,
  watchHistorySize: z.number().int().positive().optional(),
  bookmarkIntervalMs: z.number().int().positive().optional(),
  coalesceMs: z.number().int().nonnegative().optional(),
  compactionIntervalMs: z.number().int().nonnegative().optional(),
  /** Known skew of this server's clock (its write stamps), ms; the selftest's. */
  clockOffsetMs: z.number().optional(),
  /** ketcd, where the namespaces are: objects are created only in one that exists (NamespaceLifecycle). */
  namespaceEtcdEndpoints: urls.optional(),
});

export const kapiNodeSpecSchema = z.object({
  component: z.literal('kapi'),
  name: z.string(),
  host: loopbackHost,
  port,
  etcdEndpoints: urls,
  napiServers: urls,
  /** The cost exporter's /metrics URL, which metrics.k8s.io (`kubectl top`) reads; none: 503. */
  costExporter: z.url().optional(),
});

export const kctrlNodeSpecSchema = z.object({
  component: z.literal('kctrl'),
  name: z.string(),
  host: loopbackHost,
  kubeFront: z.url(),
  napiServers: urls,
});

export const nctrlNodeSpecSchema = z.object({
  component: z.literal('nctrl'),
  name: z.string(),
  host: loopbackHost,
  apiServers: urls,
  workers: z.number().int().positive().optional(),
});

export const nodeSpecSchema = z.discriminatedUnion('component', [
  napiNodeSpecSchema,
  kapiNodeSpecSchema,
  kctrlNodeSpecSchema,
  nctrlNodeSpecSchema,
  compGroupNodeSpecSchema,
]);

export type NodeSpec = z.infer<typeof nodeSpecSchema>;
export type NapiNodeSpec = z.infer<typeof napiNodeSpecSchema>;
export type KapiNodeSpec = z.infer<typeof kapiNodeSpecSchema>;
export type KctrlNodeSpec = z.infer<typeof kctrlNodeSpecSchema>;
export type NctrlNodeSpec = z.infer<typeof nctrlNodeSpecSchema>;
export type CompGroupSpec = z.infer<typeof compGroupNodeSpecSchema>;
export type NodeComponent = NodeSpec['component'];
