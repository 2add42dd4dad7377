/**
 * Per-node and per-purpose costs over one window (measurement.md): the contract between cost
 * collection (`kos-test costs`), the experiment runner and the reports. A quantity that could not
 * be measured is null and the reason is listed; it is never printed as 0.
 */
import { z } from 'zod';

export const COSTED_PURPOSES = ['comp', 'nctrl', 'napi', 'netcd', 'kctrl', 'kapi', 'ketcd'] as const;
export type CostedPurpose = (typeof COSTED_PURPOSES)[number];

export const costFiguresSchema = z.object({
  /** increase(container_cpu_usage_seconds_total{id="/"}) / window seconds. */
  cpuCores: z.number().nullable(),
  workingSetAvgBytes: z.number().nullable(),
  workingSetMaxBytes: z.number().nullable(),
  netInBytes: z.number().nullable(),
  netOutBytes: z.number().nullable(),
  netInBytesPerSecond: z.number().nullable(),
  netOutBytesPerSecond: z.number().nullable(),
});

export const perOpFiguresSchema = z.object({
  cpuSecondsPerOp: z.number().nullable(),
  netInBytesPerOp: z.number().nullable(),
  netOutBytesPerOp: z.number().nullable(),
});

export const nodeCostSchema = z.object({
  node: z.string(),
  /** From the node's kos-role/<purpose>=true label. */
  purpose: z.string(),
  figures: costFiguresSchema,
  perOp: perOpFiguresSchema.nullable(),
  /** Names of the figures that had no data, with why (e.g. "cpuCores: no samples in window"). */
  missing: z.array(z.string()),
  /**
   * Fraction of the window the node's samples cover, least over its figures (1 = all of it);
   * rates are over the covered part. Absent from tables written before it existed.
   */
  coverage: z.number().min(0).max(1).nullable().optional(),
});

export const runNodeSchema = z.object({ node: z.string(), purpose: z.string() });

export const purposeCostSchema = z.object({
  purpose: z.string(),
  nodes: z.number().int().nonnegative(),
  /** Nodes of this purpose that contributed data. */
  nodesWithData: z.number().int().nonnegative(),
  mean: costFiguresSchema,
  max: costFiguresSchema,
  /** Per op of the purpose's total (sum over its nodes), when the op count was given. */
  perOp: perOpFiguresSchema.nullable(),
});

export const costTableSchema = z.object({
  schema: z.literal('kos-test/cost-table/v1'),
  prometheus: z.string(),
  window: z.object({ fromMs: z.number(), toMs: z.number() }),
  /** Ops done in the window, when given (per-op figures divide by it). */
  ops: z.number().int().nonnegative().nullable(),
  nodes: z.array(nodeCostSchema),
  purposes: z.array(purposeCostSchema),
  /** Nodes known (from the role labels) that had no data at all. */
  noData: z.array(z.string()),
  /** True when any query failed or any node lacked data: the table is incomplete. */
  partial: z.boolean(),
  warnings: z.array(z.string()),
  /** Queries Prometheus refused or failed, one line each (also among the warnings). */
  failedQueries: z.array(z.string()).optional(),
  /**
   * The nodes of the run: those its configuration uses (comp: labelled for the run or running an
   * agent; napi: the replicas' nodes; ...). When present, only these are in `nodes`, `purposes`,
   * `noData` and `partial`. Absent from tables without a run (`kos-test costs`) or older ones.
   */
  runNodes: z.array(runNodeSchema).optional(),
  /**
   * Nodes seen (series or role labels) that are not in the run, with their figures when they
   * have any (else null): never charged to a purpose, never making the table partial.
   */
  notInRun: z.array(nodeCostSchema).optional(),
  /** Nodes of the run whose figures are missing or cover only part of the window (flagged). */
  incompleteNodes: z.array(z.string()).optional(),
});

export type CostFigures = z.infer<typeof costFiguresSchema>;
export type NodeCost = z.infer<typeof nodeCostSchema>;
export type PurposeCost = z.infer<typeof purposeCostSchema>;
export type CostTable = z.infer<typeof costTableSchema>;
export type RunNode = z.infer<typeof runNodeSchema>;
