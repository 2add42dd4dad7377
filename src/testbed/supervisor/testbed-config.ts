/** The shape of an embedded testbed: how many of each node, validated with clear messages. */
import { z } from 'zod';
import { TESTBED_DEFAULTS as D, TESTBED_LIMITS as L, type Range } from '../testbed-limits.js';

const count = (r: Range) => z.number().int().min(r.min).max(r.max);
const etcdMembers = z.union([z.literal(1), z.literal(3)]);

export const testbedConfigSchema = z.object({
  /** Connection agents (hollow comp nodes). */
  nca: count(L.nca).default(D.nca),
  /** Network-apiservers. */
  nna: count(L.nna).default(D.nna),
  /** Kube fronts (kube-apiservers). */
  nka: count(L.nka).default(D.nka),
  netcd: etcdMembers.default(D.netcd),
  ketcd: etcdMembers.default(D.ketcd),
  /**
   * Comp Nodes registered: candidates for `kos-role/comp=true`, of which the connection-agent
   * DaemonSet runs agents on those labelled so (ADR 0017). 0: as many as NCA.
   */
  compNodes: count(L.compNodes).default(D.compNodes),
  /** napi Nodes registered (where the network-apiserver Deployment may run). 0: as many as NNA. */
  napiNodes: count(L.napiNodes).default(D.napiNodes),
  /** Hollow agents per OS process. */
  agentsPerGroup: count(L.agentsPerGroup).default(D.agentsPerGroup),
  /** The stand-in fabric's delay per interface operation, e.g. `3ms` or `exp:3ms`. */
  fabricDelay: z.string().default(D.fabricDelay),
  /**
   * Agent group k's fabric delay, when entry k is present (else `fabricDelay`): two levels side
   * by side, under the same machine load, for the delay-shift measurement (issue 23).
   */
  groupFabricDelays: z.array(z.string()).default([]),
  /**
   * Added to every napi's wall clock (write stamps, timestamps), ms: a known skew for the
   * selftest to recover through the driver's clock-offset probe (issue 23).
   */
  napiClockOffsetMs: z.number().min(-3_600_000).max(3_600_000).default(0),
  /**
   * Give attachments that carry spec.postCreateExec a real interface and run their commands
   * (needs root; without it the testbed says so and stays hollow). false: always hollow.
   */
  dataPlane: z.boolean().default(true),
  /** Longest a post-create or post-delete command may run before it is killed (ms). */
  execTimeoutMs: z.number().int().positive().default(200_000),
  /** Run the real Prometheus on data0 (tests that do not need it turn it off). */
  prometheus: z.boolean().default(D.prometheus),
  /**
   * Put a relay in front of every napi, kube front and etcd member's client port, so network
   * delay and partition faults can be injected (ADR 0034). Off by default: it costs a hop.
   */
  netFaults: z.boolean().default(false),
});

export type TestbedConfig = z.infer<typeof testbedConfigSchema>;
export type TestbedConfigInput = z.input<typeof testbedConfigSchema>;
/**
 * What can change on a running testbed (a new fabric delay restarts the agent groups it
 * changes). Strict: anything else (etcd members, say) cannot be applied to a running testbed
 * and is refused.
 */
const shape = testbedConfigSchema.shape;
export const testbedScaleSchema = z
  .object({
    nca: shape.nca.unwrap().optional(),
    nna: shape.nna.unwrap().optional(),
    nka: shape.nka.unwrap().optional(),
    fabricDelay: shape.fabricDelay.unwrap().optional(),
    groupFabricDelays: shape.groupFabricDelays.unwrap().optional(),
  })
  .strict();
export type TestbedScale = z.infer<typeof testbedScaleSchema>;
