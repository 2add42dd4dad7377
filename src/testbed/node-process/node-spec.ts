/**
 * What one testbed node process runs, as data: the supervisor writes it to the node's directory
 * and starts `node-main.js` on it, so each node is its own OS process with its own address.
 */
import { z } from 'zod';

const loopbackHost = z.string().regex(/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/, 'must be in 127.0.0.0/8');

export const napiNodeSpecSchema = z.object({
  component: z.literal('napi'),
  name: z.string(),
  host: loopbackHost,
  port: z.number().int().min(0).max(65535).default(0),
  etcdEndpoints: z.array(z.string()).min(1),
  watchHistorySize: z.number().int().positive().optional(),
  bookmarkIntervalMs: z.number().int().positive().optional(),
  coalesceMs: z.number().int().nonnegative().optional(),
  compactionIntervalMs: z.number().int().nonnegative().optional(),
});

export const nodeSpecSchema = z.discriminatedUnion('component', [napiNodeSpecSchema]);

export type NodeSpec = z.infer<typeof nodeSpecSchema>;
export type NapiNodeSpec = z.infer<typeof napiNodeSpecSchema>;

/**
 * Written once a node process serves (by the process itself, or by the supervisor for etcd
 * members): where to reach it, and which testbed nodes it hosts, so the cost exporter can
 * attribute its CPU, memory and traffic.
 */
export const nodeReadySchema = z.object({
  /** The process's name: a node name (`napi0`), or a group (`comp-group0`). */
  name: z.string(),
  purpose: z.enum(['netcd', 'napi', 'nctrl', 'ketcd', 'kapi', 'kctrl', 'comp', 'data', 'base']),
  pid: z.number().int(),
  /** Testbed nodes this process hosts; several for a group of hollow agents. */
  nodes: z.array(z.string()).min(1),
  /** Named endpoints, e.g. `api` and `metrics`. */
  endpoints: z.record(z.string(), z.string()),
});

export type NodeReady = z.infer<typeof nodeReadySchema>;
