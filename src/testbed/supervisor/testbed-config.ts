/** The shape of an embedded testbed: how many of each node, validated with clear messages. */
import { z } from 'zod';

export const testbedConfigSchema = z.object({
  /** Connection agents (hollow comp nodes). */
  nca: z.number().int().min(0).max(20_000).default(20),
  /** Network-apiservers. */
  nna: z.number().int().min(1).max(9).default(1),
  /** Kube fronts (kube-apiservers). */
  nka: z.number().int().min(1).max(9).default(1),
  netcd: z.union([z.literal(1), z.literal(3)]).default(1),
  ketcd: z.union([z.literal(1), z.literal(3)]).default(1),
  /**
   * Comp Nodes registered: candidates for `kos-role/comp=true`, of which the connection-agent
   * DaemonSet runs agents on those labelled so (ADR 0017). 0: as many as NCA.
   */
  compNodes: z.number().int().min(0).max(20_000).default(0),
  /** napi Nodes registered (where the network-apiserver Deployment may run). 0: as many as NNA. */
  napiNodes: z.number().int().min(0).max(9).default(0),
  /** Hollow agents per OS process. */
  agentsPerGroup: z.number().int().min(1).max(1000).default(100),
  /** The stand-in fabric's delay per interface operation, e.g. `3ms` or `exp:3ms`. */
  fabricDelay: z.string().default('3ms'),
  /**
   * Give attachments that carry spec.postCreateExec a real interface and run their commands
   * (needs root; without it the testbed says so and stays hollow). false: always hollow.
   */
  dataPlane: z.boolean().default(true),
  /** Longest a post-create or post-delete command may run before it is killed (ms). */
  execTimeoutMs: z.number().int().positive().default(200_000),
  /** Run the real Prometheus on data0 (tests that do not need it turn it off). */
  prometheus: z.boolean().default(true),
});

export type TestbedConfig = z.infer<typeof testbedConfigSchema>;
export type TestbedConfigInput = z.input<typeof testbedConfigSchema>;
/** What can change on a running testbed (a new fabric delay restarts the agent groups). */
export type TestbedScale = Partial<Pick<TestbedConfig, 'nca' | 'nna' | 'nka' | 'fabricDelay'>>;
