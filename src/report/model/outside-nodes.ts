/**
 * Nodes seen during a run but not used by its configuration (the cost table's notInRun: scaled
 * away, or idle candidates of a real cluster), one row per run (pure): shown apart, with what
 * they cost, and never charged to a purpose.
 */
import { sumOf } from '../../costs/cost-assembly.js';
import { listSome } from '../../costs/node-identity.js';
import type { ReportRun } from './report-run.js';

export interface OutsideRow {
  runId: string;
  nodes: number;
  withData: number;
  /** Sums over the nodes with the figure; null when none has it. */
  cpuCores: number | null;
  workingSetAvgBytes: number | null;
  names: string;
}

export function outsideNodeRows(runs: readonly ReportRun[]): OutsideRow[] {
  return [...runs]
    .sort((a, b) => a.index - b.index)
    .flatMap((r): OutsideRow[] => {
      const outside = r.costs?.notInRun ?? [];
      if (outside.length === 0) return [];
      return [
        {
          runId: r.runId,
          nodes: outside.length,
          withData: outside.filter((n) => Object.values(n.figures).some((v) => v !== null)).length,
          cpuCores: sumOf(outside.map((n) => n.figures.cpuCores)),
          workingSetAvgBytes: sumOf(outside.map((n) => n.figures.workingSetAvgBytes)),
          names: listSome(outside.map((n) => n.node)),
        },
      ];
    });
}
