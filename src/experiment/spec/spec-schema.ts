/**
 * The experiment spec (YAML): the seed's Main Experiment as a grid of factor levels, plus how
 * long each run lasts, in what order the runs go, how the driver shapes its load, and where it
 * runs. Only raw shapes live here (so the JSON Schema export is faithful); cross-field rules and
 * unit resolution are in spec-load.ts. Every default is given beside its option.
 */
import { z } from 'zod';
import { TESTBED_DEFAULTS as TB, TESTBED_LIMITS } from '../../testbed/testbed-limits.js';
import { SLO_PATTERN } from '../verdict/slo.js';
import { faultScenarioSchema, FAULT_NONE } from './fault-scenario.js';
import { durationSchema } from './spec-duration.js';

import { DEFAULT_VALIDITY } from '../verdict/validity.js';

const POP_MESSAGE = 'a POP level is a whole multiple of X such as 3X, or a whole number of attachments';

/** A POP level: a multiple of X written `3X`, or a plain attachment count that must be a multiple of X. */
export const popLevelSchema = z
  .union([z.string().regex(/^\d+X$/, POP_MESSAGE), z.number().int().positive()], {
    error: POP_MESSAGE,
  })
  .describe('a multiple of X (e.g. 3X), or an attachment count that is a multiple of X');

const levels = <T extends z.ZodType>(level: T, what: string) =>
  z.array(level).min(1, `at least one level of ${what}`);

export const factorsSchema = z
  .strictObject({
    OPS: levels(z.number().positive(), 'OPS').describe(
      'driver ops/s in cruise (creates and deletes both count)',
    ),
    NCA: levels(z.number().int().positive(), 'NCA').describe('connection agents'),
    POP: levels(popLevelSchema, 'POP').describe('nominal attachments in cruise, in units of X'),
    NNA: levels(z.number().int().positive(), 'NNA').describe('network-apiservers'),
    NKA: levels(z.number().int().positive(), 'NKA').describe('kube-apiservers').default([1]),
    faults: levels(z.string().min(1), 'faults')
      .default([FAULT_NONE])
      .describe(
        `fault scenarios (names in the spec's faults section, or ${FAULT_NONE}; default [${FAULT_NONE}])`,
      ),
  })
  .describe('the independent variables and their levels; every combination is one cell of the grid');

export const orderSchema = z
  .union([
    z.literal('listed'),
    z.strictObject({
      random: z.literal(true),
      /** A seed is chosen and recorded in the sweep directory when not given. */
      seed: z.number().int().nonnegative().optional(),
    }),
  ])
  .describe('"listed" (NCA, NNA, NKA outermost so reconfigurations are few), or {random: true, seed}')
  .default('listed');

export const driverSettingsSchema = z
  .strictObject({
    /** VNs; their sizes follow population.ts, topNetSize is solved for each run's POP. */
    numNets: z.number().int().positive().default(10).describe('virtual networks (default 10)'),
    exponent: z.number().nonnegative().default(1).describe('VN size decay exponent (default 1)'),
    bias: z.number().nonnegative().default(0).describe('VN size bias (default 0)'),
    distribution: z.enum(['steady', 'poisson']).default('steady').describe('op gaps (default steady)'),
    shards: z.number().int().positive().default(1).describe('driver processes sharing the load (default 1)'),
    /** Wait for straggler notifications after the last delete (the original's --wait-after-delete). */
    graceWait: durationSchema.default('15s').describe('wait after the last op (default 15s)'),
    /** The raw data: one row per attachment, in runs/<runid>/[shard-<i>/]attachments.csv.gz. */
    perAttachmentCsv: z
      .boolean()
      .default(true)
      .describe("keep each run's per-attachment CSV, gzip-compressed (default true)"),
    /**
     * Share of creates given a full data-plane (ping) test, as the original's --test-fraction;
     * 0 here (ADR 0023): a sweep measures the control plane and needs no root on the testbed.
     */
    testFraction: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe(
        'share of creates given a full ping test (default 0: no data-plane tests; >0 needs root on the testbed)',
      ),
    pingCount: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(10)
      .describe('echo requests a full test tries (default 10)'),
    pendingWait: durationSchema
      .default('1m')
      .describe('longest a create waits for a tested peer (default 1m)'),
    stopOnPingFail: z.boolean().default(true).describe('stop a run at its first failed test (default true)'),
    stopOnBreak: z
      .boolean()
      .default(true)
      .describe('stop a run at its first broken attachment or address problem (default true)'),
  })
  .default({
    numNets: 10,
    exponent: 1,
    bias: 0,
    distribution: 'steady',
    shards: 1,
    graceWait: '15s',
    perAttachmentCsv: true,
    testFraction: 0,
    pingCount: 10,
    pendingWait: '1m',
    stopOnPingFail: true,
    stopOnBreak: true,
  });

export const testbedTargetSchema = z.strictObject({
  kind: z.literal('testbed'),
  /** State directory of the testbed the runner brings up (default <out>/testbed). */
  dir: z.string().optional().describe('testbed state directory (default <sweep dir>/testbed)'),
  netcd: z
    .union([z.literal(1), z.literal(3)])
    .default(TB.netcd)
    .describe(`KOS etcd members (default ${TB.netcd})`),
  ketcd: z
    .union([z.literal(1), z.literal(3)])
    .default(TB.ketcd)
    .describe(`kube etcd members (default ${TB.ketcd})`),
  agentsPerGroup: z
    .number()
    .int()
    .min(TESTBED_LIMITS.agentsPerGroup.min)
    .max(TESTBED_LIMITS.agentsPerGroup.max)
    .default(TB.agentsPerGroup)
    .describe(`hollow agents per process (default ${TB.agentsPerGroup})`),
  fabricDelay: z
    .string()
    .default(TB.fabricDelay)
    .describe(`stand-in fabric delay (default ${TB.fabricDelay})`),
});

export const clusterTargetSchema = z.strictObject({
  kind: z.literal('cluster'),
  kubeconfig: z.string().min(1).describe('path of the kubeconfig (required)'),
  context: z.string().optional().describe("kubeconfig context (default: the file's current context)"),
  prometheusUrl: z.url().describe('Prometheus that scrapes cAdvisor on every node (required)'),
  kos: z
    .strictObject({
      namespace: z
        .string()
        .default('example-com')
        .describe('namespace of the KOS deployments (default example-com)'),
      networkApiserver: z
        .string()
        .default('network-apiserver')
        .describe('Deployment scaled to NNA (default network-apiserver)'),
      connectionAgent: z
        .string()
        .default('connection-agent')
        .describe('DaemonSet of the agents (default connection-agent)'),
    })
    .default({
      namespace: 'example-com',
      networkApiserver: 'network-apiserver',
      connectionAgent: 'connection-agent',
    }),
  /** Nodes that may be labelled kos-role/comp=true (those with the label key at all). */
  compCandidates: z
    .string()
    .default('kos-role/comp')
    .describe('label selector of comp-capable nodes (default kos-role/comp)'),
  kubeApiserver: z
    .strictObject({
      namespace: z.string().default('default'),
      endpoints: z.string().default('kubernetes'),
    })
    .default({ namespace: 'default', endpoints: 'kubernetes' })
    .describe('Endpoints that list the kube-apiservers (default default/kubernetes)'),
  /** RE2 regex of the nodes' network interfaces the network costs count (the testbed's: lo). */
  interfaces: z
    .string()
    .default('eth[0-3]')
    .describe(
      "network interfaces counted in costs, a regex on cAdvisor's interface label (default eth[0-3])",
    ),
  requestTimeout: durationSchema
    .default('30s')
    .describe('longest wait for one answer of the Kubernetes API server (default 30s)'),
});

export const targetSchema = z.discriminatedUnion('kind', [testbedTargetSchema, clusterTargetSchema]).default({
  kind: 'testbed',
  netcd: TB.netcd,
  ketcd: TB.ketcd,
  agentsPerGroup: TB.agentsPerGroup,
  fabricDelay: TB.fabricDelay,
});

export const overheadsSchema = z
  .strictObject({
    perRun: durationSchema.default('10s').describe('per run: wait until idle, costs, cleanup (default 10s)'),
    reconfigure: durationSchema.default('20s').describe('per change of NCA, NNA or NKA (default 20s)'),
  })
  .default({ perRun: '10s', reconfigure: '20s' })
  .describe('estimates used for the total time only');

const fraction = (d: number, what: string) =>
  z.number().min(0).max(1).default(d).describe(`${what} (default ${d})`);

/** When a run counts as a measurement of KOS (validity.ts judges; its DEFAULT_VALIDITY are the defaults). */
const D = DEFAULT_VALIDITY;
const DEFAULT_CLOCK = `${D.clockUncertaintyMs}ms`;
export const validitySettingsSchema = z
  .strictObject({
    rateTolerance: fraction(D.rateTolerance, 'largest |achieved / target - 1| of the cruise OPS'),
    lateFraction: fraction(D.lateFraction, 'largest fraction of cruise ops sent late'),
    maxUnfulfilled: z
      .number()
      .int()
      .nonnegative()
      .default(D.maxUnfulfilled)
      .describe(`most cruise attachments not fulfilled (default ${D.maxUnfulfilled})`),
    requireCosts: z
      .boolean()
      .default(D.requireCosts)
      .describe(`a run without complete cost data is invalid (default ${D.requireCosts})`),
    clockUncertainty: durationSchema
      .default(DEFAULT_CLOCK)
      .describe(
        `latency resolution claimed: the clock offset must be known within it (default ${DEFAULT_CLOCK})`,
      ),
    host: z
      .strictObject({
        cpuBusy: fraction(D.host.cpuBusy, 'largest fraction of the host CPU busy over the cruise'),
        cpuPressure: fraction(
          D.host.cpuPressure,
          'largest fraction of the cruise with tasks waiting for a CPU (PSI some)',
        ),
        runQueuePerCpu: z
          .number()
          .positive()
          .default(D.host.runQueuePerCpu)
          .describe(`largest mean of runnable tasks per CPU (default ${D.host.runQueuePerCpu})`),
        cpuSteal: fraction(D.host.cpuSteal, 'largest fraction of CPU time stolen by a hypervisor'),
      })
      .default({ ...D.host })
      .describe('host saturation over the cruise, sampled from /proc/stat and /proc/pressure/cpu'),
  })
  .default({
    rateTolerance: D.rateTolerance,
    lateFraction: D.lateFraction,
    maxUnfulfilled: D.maxUnfulfilled,
    requireCosts: D.requireCosts,
    clockUncertainty: DEFAULT_CLOCK,
    host: { ...D.host },
  })
  .describe('thresholds past which a run is invalid');

const SLO_EXPRESSION = z
  .string()
  .regex(SLO_PATTERN, 'an SLO reads metric<=value, e.g. fulfilment.p99<=2s')
  .describe(
    'metric op value, e.g. fulfilment.p99<=2s, never-fulfilled<=0, achieved-ratio>=0.98, cpu-per-op.napi<=2ms',
  );

const levelList = <T extends z.ZodType>(level: T) => z.union([level, z.array(level).min(1)]);

export const sloSchema = z
  .union([
    SLO_EXPRESSION,
    z.strictObject({
      check: SLO_EXPRESSION,
      where: z
        .strictObject({
          OPS: levelList(z.number().positive()).optional(),
          NCA: levelList(z.number().int().positive()).optional(),
          POP: levelList(popLevelSchema).optional(),
          NNA: levelList(z.number().int().positive()).optional(),
          NKA: levelList(z.number().int().positive()).optional(),
        })
        .describe('only the cells at these factor levels, e.g. {NCA: 600}'),
    }),
  ])
  .describe('an SLO for every run, or {check, where} for the cells matching where');

export const experimentSpecSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'lower-case letters, digits and -')
      .max(20)
      .default('sweep')
      .describe('short name, part of every run id (default sweep)'),
    X: z.number().int().positive().describe('the unit of POP levels, in attachments'),
    factors: factorsSchema,
    cruise: durationSchema.describe('cruise duration of every run'),
    warmup: durationSchema
      .optional()
      .describe('warm-up duration (default POP / OPS: POP creates at OPS; given: at POP / warmup)'),
    cooldown: durationSchema
      .optional()
      .describe('cool-down duration (default POP / OPS: POP deletes at OPS; given: at POP / cooldown)'),
    replicates: z.number().int().positive().default(1).describe('runs per cell (default 1)'),
    order: orderSchema,
    driver: driverSettingsSchema,
    target: targetSchema,
    overheads: overheadsSchema,
    selftest: z
      .boolean()
      .default(false)
      .describe(
        "run the selftest's cluster checks first and refuse to start when one fails; cluster targets only (default false)",
      ),
    validity: validitySettingsSchema,
    slos: z
      .array(sloSchema)
      .default([])
      .describe('service-level objectives judged on every run (default none)'),
    faults: z
      .record(
        z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'lower-case letters, digits and -'),
        faultScenarioSchema,
      )
      .default({})
      .describe(
        'named fault scenarios, the levels factors.faults may list (testbed targets only; default none)',
      ),
  })
  .describe('kos-test experiment spec');

export type ExperimentSpecInput = z.input<typeof experimentSpecSchema>;
export type ExperimentSpec = z.output<typeof experimentSpecSchema>;
export type TargetSpec = ExperimentSpec['target'];
export type ClusterTargetSpec = z.output<typeof clusterTargetSchema>;
export type TestbedTargetSpec = z.output<typeof testbedTargetSchema>;
export const FACTOR_NAMES = ['OPS', 'NCA', 'POP', 'NNA', 'NKA'] as const;
