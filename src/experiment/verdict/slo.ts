/**
 * Service-level objectives: one expression form, `fulfilment.p99<=2s`, read by `drive --slo`,
 * `experiment run --slo` and the spec's `slos:` alike, and judged against one run (pure).
 */
import { z } from 'zod';
import type { CostTable } from '../../measure/cost-table.js';
import { parseDurationMs, type DurationSyntax } from '../../util/duration.js';
import { KosTestError } from '../../util/errors.js';
import type { DriveKeys, RunFactors } from '../store/run-record.js';

type FactorName = keyof RunFactors;
type Op = '<=' | '<' | '>=' | '>';
type Unit = 'ms' | 'count' | 'ratio';

/** Cells an SLO applies to: each named factor at one of the levels (all cells when empty). */
export type SloWhere = Partial<Record<FactorName, number[]>>;

/** `metric op value[unit]`: groups metric, op, value, unit (the spec's JSON Schema uses it too). */
export const SLO_PATTERN = /^\s*([a-z][a-z0-9.-]*)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/;

export interface Slo {
  /** As written, e.g. `fulfilment.p99<=2s`. */
  expression: string;
  metric: string;
  op: Op;
  /** The bound in `unit` (durations in ms). */
  bound: number;
  unit: Unit;
  where: SloWhere;
}

export interface SloSubject {
  factors: RunFactors | null;
  drive: DriveKeys | null;
  costs: CostTable | null;
}

interface Metric {
  unit: Unit;
  read: (s: SloSubject) => number | null;
}

const FULFILMENT_STATS = {
  p50: 'p50Ms',
  p90: 'p90Ms',
  p99: 'p99Ms',
  p999: 'p999Ms',
  max: 'maxMs',
  mean: 'meanMs',
} as const;
/** Bounds on durations: latencies and CPU time per op are well below a minute. */
const SLO_DURATION: DurationSyntax = { units: ['us', 'ms', 's'] };

export const SLO_METRIC_HELP =
  'fulfilment.p50|p90|p99|p999|max|mean (a duration, from planned, cruise), never-fulfilled (cruise count), achieved-ratio (cruise achieved / target OPS), cpu-per-op.<purpose> (CPU time per op, e.g. cpu-per-op.napi)';

function metricOf(name: string): Metric | undefined {
  const fulfil = /^fulfilment\.(p50|p90|p99|p999|max|mean)$/.exec(name);
  if (fulfil !== null) {
    const key = FULFILMENT_STATS[fulfil[1] as keyof typeof FULFILMENT_STATS];
    return { unit: 'ms', read: (s) => s.drive?.cruise.latency.fulfilmentFromPlanned[key] ?? null };
  }
  if (name === 'never-fulfilled')
    return { unit: 'count', read: (s) => s.drive?.cruise.outcomes.neverFulfilled ?? null };
  if (name === 'achieved-ratio') return { unit: 'ratio', read: (s) => s.drive?.cruise.achievedRatio ?? null };
  const cpu = /^cpu-per-op\.([a-z]+)$/.exec(name);
  if (cpu !== null) {
    return {
      unit: 'ms',
      read: (s) => {
        const perOp = s.costs?.purposes.find((p) => p.purpose === cpu[1])?.perOp?.cpuSecondsPerOp;
        return perOp === undefined || perOp === null ? null : perOp * 1000;
      },
    };
  }
  return undefined;
}

/** Parses `metric op value[unit]`; a bad expression is one KosTestError line naming the fix. */
export function parseSlo(expression: string, where: SloWhere = {}): Slo {
  const bad = (what: string, fix: string): KosTestError =>
    new KosTestError({ what: `bad SLO ${what}`, value: JSON.stringify(expression), fix });
  const m = SLO_PATTERN.exec(expression);
  if (m === null)
    throw bad('expression', 'write metric<=value, e.g. fulfilment.p99<=2s or never-fulfilled<=0');
  const [, name = '', op = '<=', value = '0', unitText = ''] = m;
  const metric = metricOf(name);
  if (metric === undefined) throw bad(`metric "${name}"`, `metrics: ${SLO_METRIC_HELP}`);
  let bound = Number(value);
  if (metric.unit === 'ms') {
    const ms = parseDurationMs(`${value}${unitText}`, SLO_DURATION);
    if (ms === undefined) throw bad(`duration "${value}${unitText}"`, 'give a unit: us, ms or s (e.g. 2s)');
    bound = ms;
  } else if (unitText !== '') throw bad(`unit "${unitText}"`, `${name} is a plain number`);
  return { expression: expression.trim(), metric: name, op: op as Op, bound, unit: metric.unit, where };
}

/** The SLO as shown in results and JUnit: the expression and its cell condition. */
export function sloLabel(slo: Slo): string {
  const conds = Object.entries(slo.where).map(([f, v]) => `${f}=${v.join('|')}`);
  return conds.length === 0 ? slo.expression : `${slo.expression} where ${conds.join(' ')}`;
}

export const sloResultSchema = z.object({
  slo: z.string(),
  /** no-data: the run has no figure for the metric (it fails the SLO: nothing passes unmeasured). */
  status: z.enum(['pass', 'fail', 'no-data']),
  measured: z.number().nullable(),
  bound: z.number(),
  unit: z.string(),
  message: z.string(),
});
export type SloResult = z.infer<typeof sloResultSchema>;

function applies(slo: Slo, factors: RunFactors | null): boolean {
  return Object.entries(slo.where).every(
    ([f, levels]) => factors !== null && levels.includes(factors[f as FactorName]),
  );
}

const holds: Record<Op, (a: number, b: number) => boolean> = {
  '<=': (a, b) => a <= b,
  '<': (a, b) => a < b,
  '>=': (a, b) => a >= b,
  '>': (a, b) => a > b,
};

function show(v: number, unit: Unit): string {
  return unit === 'ms' ? `${Number(v.toPrecision(4))} ms` : String(Number(v.toPrecision(4)));
}

/** The results of the SLOs that apply to this run's cell. */
export function evaluateSlos(slos: readonly Slo[], s: SloSubject): SloResult[] {
  return slos
    .filter((slo) => applies(slo, s.factors))
    .map((slo) => {
      const measured = metricOf(slo.metric)?.read(s) ?? null;
      const base = { slo: sloLabel(slo), measured, bound: slo.bound, unit: slo.unit };
      if (measured === null)
        return { ...base, status: 'no-data' as const, message: `${slo.metric}: no figure in this run` };
      const pass = holds[slo.op](measured, slo.bound);
      return {
        ...base,
        status: pass ? ('pass' as const) : ('fail' as const),
        message: `${slo.metric} ${show(measured, slo.unit)} ${pass ? 'meets' : 'breaks'} ${slo.op} ${show(slo.bound, slo.unit)}`,
      };
    });
}
