/** The per-purpose cost quantities the report plots and fits, and how to read each from a run. */
import type { CostTable } from '../../measure/cost-table.js';

export interface CostMetric {
  key: string;
  label: string;
  unit: string;
  /** Per op (divided by the ops done in the cruise window) or absolute. */
  perOp: boolean;
  read: (purpose: CostTable['purposes'][number]) => number | null;
}

/** Absolute figures are the mean over the purpose's nodes; per-op ones are of the purpose's total. */
export const COST_METRICS: readonly CostMetric[] = [
  { key: 'cpu', label: 'CPU per node', unit: 'cores', perOp: false, read: (p) => p.mean.cpuCores },
  {
    key: 'memory',
    label: 'memory per node (working set, avg)',
    unit: 'bytes',
    perOp: false,
    read: (p) => p.mean.workingSetAvgBytes,
  },
  {
    key: 'net-in',
    label: 'network in per node',
    unit: 'bytes/s',
    perOp: false,
    read: (p) => p.mean.netInBytesPerSecond,
  },
  {
    key: 'net-out',
    label: 'network out per node',
    unit: 'bytes/s',
    perOp: false,
    read: (p) => p.mean.netOutBytesPerSecond,
  },
  {
    key: 'cpu-per-op',
    label: 'CPU per op (purpose total)',
    unit: 'CPU-s/op',
    perOp: true,
    read: (p) => p.perOp?.cpuSecondsPerOp ?? null,
  },
  {
    key: 'net-in-per-op',
    label: 'network in per op (purpose total)',
    unit: 'bytes/op',
    perOp: true,
    read: (p) => p.perOp?.netInBytesPerOp ?? null,
  },
  {
    key: 'net-out-per-op',
    label: 'network out per op (purpose total)',
    unit: 'bytes/op',
    perOp: true,
    read: (p) => p.perOp?.netOutBytesPerOp ?? null,
  },
];

/** A cost figure of a run, or null when it has no cost table, no such purpose, or no data. */
export function costValue(costs: CostTable | null, purpose: string, metric: CostMetric): number | null {
  const p = costs?.purposes.find((x) => x.purpose === purpose);
  if (p === undefined || p.nodesWithData === 0) return null;
  const v = metric.read(p);
  return v !== null && Number.isFinite(v) ? v : null;
}
