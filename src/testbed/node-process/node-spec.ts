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
});

export const kapiNodeSpecSchema = z.object({
  component: z.literal('kapi'),
  name: z.string(),
  host: loopbackHost,
  port,
  etcdEndpoints: urls,
  napiServers: urls,
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

export const PURPOSES = ['netcd', 'napi', 'nctrl', 'ketcd', 'kapi', 'kctrl', 'comp', 'data', 'base'] as const;

/**
 * Written once a node process serves (by the process itself, or by the supervisor for etcd
 * members): where to reach it, and which testbed nodes it hosts, so the cost exporter can
 * attribute its CPU, memory and traffic.
 */
export const nodeReadySchema = z.object({
  /** The process's name: a node name (`napi0`), or a group (`comp-group0`). */
  name: z.string(),
  purpose: z.enum(PURPOSES),
  pid: z.number().int(),
  /** Testbed nodes this process hosts; several for a group of hollow agents. */
  nodes: z.array(z.string()).min(1),
  /** Named endpoints, e.g. `api` and `metrics`. */
  endpoints: z.record(z.string(), z.string()),
});

export type NodeReady = z.infer<typeof nodeReadySchema>;
