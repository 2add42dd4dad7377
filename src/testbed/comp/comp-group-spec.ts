/**
 * A group of hollow agents as a testbed node process's spec (the `comp` member of node-spec.ts's
 * union, for node-main to run with startAgentGroup). The fabric delay is checked here, at the
 * edge, so a bad one fails before any process starts.
 */
import { z } from 'zod';
import { loopbackHostSchema as loopbackHost } from '../../net/loopback-host.js';
import { parseDelaySpec } from './delay-spec.js';

export const dataPlaneSpecSchema = z.object({
  /** The testbed's fabric network namespace (made by the supervisor). */
  netns: z.string().min(1),
  /** The testbed's prefix: node namespaces are `<prefix>-<node>`. */
  prefix: z.string().min(1),
  /** Where the group keeps its journal of owed post-delete commands. */
  journalDir: z.string().min(1),
  /** Directories whose programs a command may run. */
  allowedDirs: z.array(z.string().min(1)).min(1),
  /** Where programs named in an allowed directory really are on these nodes (exec-command.ts). */
  installedDirs: z.record(z.string(), z.string()).default({}),
  execTimeoutMs: z.number().int().positive(),
});

export type DataPlaneSpec = z.infer<typeof dataPlaneSpecSchema>;

export const compGroupNodeSpecSchema = z.object({
  component: z.literal('comp'),
  /** e.g. `comp-group0` */
  name: z.string().min(1),
  agents: z
    .array(
      z.object({
        node: z.string().min(1),
        hostIP: loopbackHost,
        apiServer: z.url({ protocol: /^https?$/ }),
      }),
    )
    .min(1),
  /** Every network-apiserver replica: an agent whose own one refuses connections moves on (ADR 0028). */
  apiServers: z.array(z.url({ protocol: /^https?$/ })).optional(),
  /** @default '0ms' (see delay-spec.ts) */
  fabricDelay: z
    .string()
    .default('0ms')
    .superRefine((text, ctx) => {
      try {
        parseDelaySpec(text);
      } catch (e: unknown) {
        ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : String(e) });
      }
    }),
  fabricSeed: z.number().int().optional(),
  metricsHost: loopbackHost,
  /** @default 0 (any free port) */
  metricsPort: z.number().int().min(0).max(65535).default(0),
  /** @default 16 */
  startConcurrency: z.number().int().positive().optional(),
  /** @default 2 */
  workers: z.number().int().positive().optional(),
  /** A real data plane for attachments with spec.postCreateExec (the testbed gives it as root). */
  dataPlane: dataPlaneSpecSchema.optional(),
});

export type CompGroupNodeSpec = z.infer<typeof compGroupNodeSpecSchema>;
