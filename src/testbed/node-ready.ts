/**
 * The `ready.json` every testbed node process writes once it serves (pure schema). It sits below
 * both the node processes that write it and the cost exporter that reads it.
 */
import { z } from 'zod';
import { PURPOSE_OCTET, type Purpose } from './node-addresses.js';

const PURPOSES = Object.keys(PURPOSE_OCTET) as [Purpose, ...Purpose[]];

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
