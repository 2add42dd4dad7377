/**
 * The testbed's limits and defaults, in one place (pure): the supervisor's schema, the experiment
 * spec, the plan's refusals and the CLI's flags all read them here.
 */

export interface Range {
  readonly min: number;
  readonly max: number;
}

/** How many of each node the testbed can run on one machine. */
export const TESTBED_LIMITS = {
  nca: { min: 0, max: 20_000 },
  nna: { min: 1, max: 9 },
  nka: { min: 1, max: 9 },
  compNodes: { min: 0, max: 20_000 },
  napiNodes: { min: 0, max: 9 },
  agentsPerGroup: { min: 1, max: 1000 },
} as const satisfies Record<string, Range>;

/** etcd clusters are of one or three members. */
export const ETCD_MEMBERS = [1, 3] as const;
export type EtcdMembers = (typeof ETCD_MEMBERS)[number];

export const TESTBED_DEFAULTS = {
  nca: 20,
  nna: 1,
  nka: 1,
  netcd: 1,
  ketcd: 1,
  compNodes: 0,
  napiNodes: 0,
  // Few, large agent processes (ADR 0044): each op wakes every process holding a peer agent, so
  // 18 groups at the seed's corner queued for 2 CPUs in bursts and paid 18 runtimes' idle cost.
  agentsPerGroup: 1000,
  fabricDelay: '3ms',
  prometheus: true,
} as const satisfies {
  netcd: EtcdMembers;
  ketcd: EtcdMembers;
  [k: string]: number | string | boolean;
};
