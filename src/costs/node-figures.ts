/**
 * One node's cost figures over a window from its raw series (pure): counters become a rate over
 * the covered part of the window (summed over the node's series, e.g. one per interface) and a
 * total of rate x window; the working set a time-weighted average and a max.
 */
import type { CostFigures } from '../measure/cost-table.js';
import type { CostMetric } from './cost-queries.js';
import { counterWindow, coverageProblem, gaugeWindow, type Coverage, type Sample } from './window-math.js';

export interface RawSeries {
  labels: Record<string, string>;
  samples: Sample[];
}

/** A metric's series for one node, or why there are none. */
export type NodeMetricInput = { series: RawSeries[] } | { error: string };

export interface NodeFigures {
  figures: CostFigures;
  /** Total CPU-seconds over the window (rate x window), for per-op figures. */
  cpuSeconds: number | null;
  missing: string[];
  /** Coverage and gap problems, one line each. */
  problems: string[];
  /** Least covered fraction over the node's figures; null without any. */
  coverage: number | null;
}

interface CounterFigure {
  rate: number;
  coveredFraction: number;
}

interface GaugeFigure {
  avg: number;
  max: number;
  coveredFraction: number;
}

const FIGURES_OF: Record<CostMetric, (keyof CostFigures)[]> = {
  cpu: ['cpuCores'],
  workingSet: ['workingSetAvgBytes', 'workingSetMaxBytes'],
  netIn: ['netInBytes', 'netInBytesPerSecond'],
  netOut: ['netOutBytes', 'netOutBytesPerSecond'],
};

export function nodeFigures(
  inputs: Readonly<Record<CostMetric, NodeMetricInput>>,
  fromMs: number,
  toMs: number,
): NodeFigures {
  const windowS = (toMs - fromMs) / 1000;
  const missing: string[] = [];
  const problems: string[] = [];
  const fractions: number[] = [];
  const note = (metric: CostMetric, why: string): void => {
    for (const f of FIGURES_OF[metric]) missing.push(`${f}: ${why}`);
  };
  const coverageOf = (metric: CostMetric, c: Coverage): number => {
    const problem = coverageProblem(c, fromMs, toMs);
    if (problem !== undefined) problems.push(`${metric}: ${problem}`);
    return c.coveredMs / (toMs - fromMs);
  };

  const counter = (metric: CostMetric): CounterFigure | undefined => {
    const input = inputs[metric];
    if ('error' in input) {
      note(metric, input.error);
      return undefined;
    }
    let rate = 0;
    let least = Infinity;
    for (const s of input.series) {
      const w = counterWindow(s.samples, fromMs, toMs);
      if (w === undefined) continue;
      rate += w.increase / (w.coveredMs / 1000);
      least = Math.min(least, coverageOf(metric, w));
    }
    if (least === Infinity) {
      note(metric, 'no samples in window');
      return undefined;
    }
    fractions.push(least);
    return { rate, coveredFraction: least };
  };

  const gauge = (metric: CostMetric): GaugeFigure | undefined => {
    const input = inputs[metric];
    if ('error' in input) {
      note(metric, input.error);
      return undefined;
    }
    let avg = 0;
    let max = 0;
    let least = Infinity;
    let used = 0;
    for (const s of input.series) {
      const w = gaugeWindow(s.samples, fromMs, toMs);
      if (w === undefined) continue;
      // Several whole-node series would be unusual; summing is right for the average only.
      avg += w.avg;
      max += w.max;
      used++;
      least = Math.min(least, coverageOf(metric, w));
    }
    if (used === 0) {
      note(metric, 'no samples in window');
      return undefined;
    }
    if (used > 1) problems.push(`${metric}: ${used} series summed (the max is an upper bound)`);
    fractions.push(least);
    return { avg, max, coveredFraction: least };
  };

  const cpu = counter('cpu');
  const ws = gauge('workingSet');
  const netIn = counter('netIn');
  const netOut = counter('netOut');
  return {
    figures: {
      cpuCores: cpu?.rate ?? null,
      workingSetAvgBytes: ws?.avg ?? null,
      workingSetMaxBytes: ws?.max ?? null,
      netInBytes: netIn === undefined ? null : netIn.rate * windowS,
      netOutBytes: netOut === undefined ? null : netOut.rate * windowS,
      netInBytesPerSecond: netIn?.rate ?? null,
      netOutBytesPerSecond: netOut?.rate ?? null,
    },
    cpuSeconds: cpu === undefined ? null : cpu.rate * windowS,
    missing,
    problems,
    coverage: fractions.length === 0 ? null : Math.min(1, ...fractions),
  };
}
