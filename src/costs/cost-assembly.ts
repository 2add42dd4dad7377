/**
 * Raw series of the four cost metrics -> the cost table (pure): series grouped by node, nodes
 * given a purpose (the run's own nodes, else the Kubernetes API's role labels, else the series'
 * own labels), figures per node, then mean and max per purpose and per-op figures. A node with
 * nothing is listed in noData with null figures, never zeros. Given the run's nodes, the others
 * are listed apart (notInRun) and never charged to a purpose nor flagged.
 */
import {
  COSTED_PURPOSES,
  type CostFigures,
  type CostTable,
  type NodeCost,
  type PurposeCost,
  type RunNode,
} from '../measure/cost-table.js';
import { COST_METRICS, type CostMetric } from './cost-queries.js';
import { nodeFigures, type NodeMetricInput, type RawSeries } from './node-figures.js';
import { byNodeName, listSome, seriesNode, seriesPurpose } from './node-identity.js';

export type MetricData = { series: RawSeries[] } | { error: string };

export interface AssembleInput {
  prometheus: string;
  fromMs: number;
  toMs: number;
  ops: number | null;
  /** node -> purpose, from the Node objects' role labels; wins over series labels. */
  nodePurposes?: Readonly<Record<string, string>> | undefined;
  /** The nodes of the run: only these are costed and can make the table partial; others go to notInRun. */
  runNodes?: readonly RunNode[] | undefined;
  data: Readonly<Record<CostMetric, MetricData>>;
  warnings?: readonly string[];
}

const METRICS = Object.keys(COST_METRICS) as CostMetric[];
const FIGURE_KEYS = [
  'cpuCores',
  'workingSetAvgBytes',
  'workingSetMaxBytes',
  'netInBytes',
  'netOutBytes',
  'netInBytesPerSecond',
  'netOutBytesPerSecond',
] as const satisfies readonly (keyof CostFigures)[];

const costed: ReadonlySet<string> = new Set(COSTED_PURPOSES);

export function assembleCostTable(input: AssembleInput): CostTable {
  const warnings = [...(input.warnings ?? [])];
  const byNode = new Map<string, Record<CostMetric, RawSeries[]>>();
  const labelPurpose = new Map<string, string>();
  let unnamed = 0;
  for (const metric of METRICS) {
    const data = input.data[metric];
    if ('error' in data) {
      warnings.push(`${COST_METRICS[metric]}: ${data.error}`);
      continue;
    }
    for (const s of data.series) {
      const node = seriesNode(s.labels);
      if (node === undefined) {
        unnamed++;
        continue;
      }
      const purpose = seriesPurpose(s.labels);
      if (purpose !== undefined && !labelPurpose.has(node)) labelPurpose.set(node, purpose);
      let entry = byNode.get(node);
      if (entry === undefined) {
        entry = { cpu: [], workingSet: [], netIn: [], netOut: [] };
        byNode.set(node, entry);
      }
      entry[metric].push(s);
    }
  }
  if (unnamed > 0) warnings.push(`${unnamed} series without a node label were left out`);

  const purposeOf = new Map<string, string>();
  for (const [node, p] of Object.entries(input.nodePurposes ?? {})) purposeOf.set(node, p);
  const inRun =
    input.runNodes === undefined ? undefined : new Map(input.runNodes.map((n) => [n.node, n.purpose]));
  // The run's own account of its nodes wins: it knows a node's purpose even without a label.
  for (const [node, p] of inRun ?? []) purposeOf.set(node, p);
  const unknown: string[] = [];
  for (const node of byNode.keys()) {
    if (purposeOf.has(node)) continue;
    const p = labelPurpose.get(node);
    if (p === undefined) unknown.push(node);
    else purposeOf.set(node, p);
  }
  if (unknown.length > 0 && inRun === undefined) {
    warnings.push(`no purpose known for ${listSome(unknown.sort(byNodeName))}: left out`);
  }

  const byPurposeThenName = (a: string, b: string): number =>
    purposeRank(purposeOf.get(a)) - purposeRank(purposeOf.get(b)) || byNodeName(a, b);
  const names = [...purposeOf.entries()]
    .filter(([n, p]) => costed.has(p) && (inRun === undefined || inRun.has(n)))
    .map(([n]) => n)
    .sort(byPurposeThenName);
  // Outside the run: costed or unlabelled nodes (an idle labelled-off node still costs something).
  const outside =
    inRun === undefined
      ? []
      : [...new Set([...purposeOf.keys(), ...byNode.keys()])]
          .filter((n) => !inRun.has(n) && (costed.has(purposeOf.get(n) ?? '') || !purposeOf.has(n)))
          .sort(byPurposeThenName);

  const ops = input.ops;
  const perOpOk = ops !== null && ops > 0;
  if (ops === 0) warnings.push('ops is 0: no per-op figures');
  const figuresOf = (node: string): ReturnType<typeof nodeFigures> => {
    const series = byNode.get(node);
    const inputs = Object.fromEntries(
      METRICS.map((m): [CostMetric, NodeMetricInput] => {
        const data = input.data[m];
        return [m, 'error' in data ? { error: 'query failed' } : { series: series?.[m] ?? [] }];
      }),
    ) as Record<CostMetric, NodeMetricInput>;
    return nodeFigures(inputs, input.fromMs, input.toMs);
  };
  const nodes: NodeCost[] = [];
  const cpuSecondsOf = new Map<string, number | null>();
  const noData: string[] = [];
  const incompleteNodes: string[] = [];
  let incomplete = false;
  for (const node of names) {
    const f = figuresOf(node);
    const nothing = FIGURE_KEYS.every((k) => f.figures[k] === null);
    if (nothing) noData.push(node);
    for (const p of f.problems) warnings.push(`${node}: ${p}`);
    if (f.problems.length > 0) incomplete = true;
    if (nothing || f.problems.length > 0 || f.missing.length > 0) incompleteNodes.push(node);
    cpuSecondsOf.set(node, f.cpuSeconds);
    nodes.push({
      node,
      purpose: purposeOf.get(node) ?? '',
      figures: f.figures,
      perOp: perOpOk
        ? {
            cpuSecondsPerOp: div(f.cpuSeconds, ops),
            netInBytesPerOp: div(f.figures.netInBytes, ops),
            netOutBytesPerOp: div(f.figures.netOutBytes, ops),
          }
        : null,
      missing: f.missing,
      coverage: f.coverage,
    });
  }
  const notInRun = outside.map((node): NodeCost => {
    const f = figuresOf(node);
    const { missing, coverage } = f;
    return { node, purpose: purposeOf.get(node) ?? '', figures: f.figures, perOp: null, missing, coverage };
  });
  if (noData.length > 0) warnings.push(`no data for ${listSome(noData)}`);
  // Figures missing on nodes that have others (e.g. no network series for the interface filter).
  const missingOn = new Map<string, string[]>();
  for (const n of nodes) {
    if (noData.includes(n.node)) continue;
    for (const m of n.missing) missingOn.set(m, [...(missingOn.get(m) ?? []), n.node]);
  }
  for (const [m, on] of missingOn) warnings.push(`${m} on ${listSome(on)}`);
  if (names.length > 0 && noData.length === names.length) warnings.push('no cost samples in the window');
  if (names.length === 0) warnings.push('no costed nodes found (no role labels and no series)');

  const purposes: PurposeCost[] = [];
  for (const purpose of COSTED_PURPOSES) {
    const of = nodes.filter((n) => n.purpose === purpose);
    if (of.length === 0) continue;
    const withData = of.filter((n) => !noData.includes(n.node));
    purposes.push({
      purpose,
      nodes: of.length,
      nodesWithData: withData.length,
      mean: aggregate(withData, mean),
      max: aggregate(withData, (xs) => Math.max(...xs)),
      perOp: perOpOk
        ? {
            cpuSecondsPerOp: div(sumOf(withData.map((n) => cpuSecondsOf.get(n.node) ?? null)), ops),
            netInBytesPerOp: div(sumOf(withData.map((n) => n.figures.netInBytes)), ops),
            netOutBytesPerOp: div(sumOf(withData.map((n) => n.figures.netOutBytes)), ops),
          }
        : null,
    });
  }
  const partial =
    METRICS.some((m) => 'error' in input.data[m]) ||
    nodes.some((n) => n.missing.length > 0) ||
    incomplete ||
    names.length === 0;
  return {
    schema: 'kos-test/cost-table/v1',
    prometheus: input.prometheus,
    window: { fromMs: input.fromMs, toMs: input.toMs },
    ops,
    nodes,
    purposes,
    noData,
    partial,
    warnings,
    failedQueries: METRICS.flatMap((m) => {
      const d = input.data[m];
      return 'error' in d ? [d.error] : [];
    }),
    ...(input.runNodes === undefined
      ? {}
      : { runNodes: [...input.runNodes].sort((a, b) => byPurposeThenName(a.node, b.node)), notInRun }),
    incompleteNodes,
  };
}

function purposeRank(p: string | undefined): number {
  const i = COSTED_PURPOSES.indexOf(p as (typeof COSTED_PURPOSES)[number]);
  return i < 0 ? COSTED_PURPOSES.length : i;
}

function aggregate(nodes: readonly NodeCost[], fn: (xs: number[]) => number): CostFigures {
  const out = {} as CostFigures;
  for (const k of FIGURE_KEYS) {
    const xs = nodes.map((n) => n.figures[k]).filter((x): x is number => x !== null);
    out[k] = xs.length === 0 ? null : fn(xs);
  }
  return out;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sum of the known values; null when none is known. */
export function sumOf(xs: readonly (number | null)[]): number | null {
  const known = xs.filter((x): x is number => x !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}

function div(x: number | null, by: number): number | null {
  return x === null ? null : x / by;
}
