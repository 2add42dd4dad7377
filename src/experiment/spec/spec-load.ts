/**
 * Parses an experiment spec (YAML text) and resolves it: durations in seconds, POP levels as
 * attachment counts. Any problem is one KosTestError line naming the bad value and the fix.
 */
import { parseDocument } from 'yaml';
import { KosTestError } from '../../util/errors.js';
import { parseChecked } from '../../util/zod-error.js';
import { parseSlo, type Slo, type SloWhere } from '../verdict/slo.js';
import { specIssueError } from './spec-errors.js';
import { experimentSpecSchema, type ExperimentSpec } from './spec-schema.js';
import { FAULT_NONE, resolveScenario, type FaultScenario } from './fault-scenario.js';
import { durationSeconds } from './spec-duration.js';

import type { ValidityThresholds } from '../verdict/validity.js';

export interface PopLevel {
  /** As written, e.g. "3X". */
  text: string;
  multiple: number;
  count: number;
}

export interface ResolvedSpec {
  spec: ExperimentSpec;
  popLevels: PopLevel[];
  cruiseS: number;
  warmupS: number | undefined;
  cooldownS: number | undefined;
  graceWaitS: number;
  pendingWaitS: number;
  perRunOverheadS: number;
  reconfigureOverheadS: number;
  validity: ValidityThresholds;
  slos: Slo[];
  /** The levels of factors.faults, in order: null is `none`. */
  faultLevels: (FaultScenario | null)[];
}

export function parseSpecData(source: string, data: unknown): ResolvedSpec {
  const spec = parseChecked(experimentSpecSchema, data, (f) =>
    f.issue === undefined
      ? new KosTestError({ what: `${source}: not a valid experiment spec` })
      : specIssueError(source, data, f.issue),
  );
  const popLevels = spec.factors.POP.map((level, i) => popLevel(source, spec.X, level, i));
  return {
    spec,
    popLevels,
    cruiseS: durationSeconds(spec.cruise),
    warmupS: spec.warmup === undefined ? undefined : durationSeconds(spec.warmup),
    cooldownS: spec.cooldown === undefined ? undefined : durationSeconds(spec.cooldown),
    graceWaitS: durationSeconds(spec.driver.graceWait),
    pendingWaitS: durationSeconds(spec.driver.pendingWait),
    perRunOverheadS: durationSeconds(spec.overheads.perRun),
    reconfigureOverheadS: durationSeconds(spec.overheads.reconfigure),
    validity: validityOf(spec.validity),
    faultLevels: faultLevels(source, spec, durationSeconds(spec.cruise)),
    slos: spec.slos.map((slo, i) => specSlo(source, spec.X, slo, i)),
  };
}

function validityOf(v: ExperimentSpec['validity']): ValidityThresholds {
  const { clockUncertainty, ...rest } = v;
  return { ...rest, clockUncertaintyMs: durationSeconds(clockUncertainty) * 1000 };
}

function specSlo(source: string, X: number, slo: ExperimentSpec['slos'][number], i: number): Slo {
  const [expression, raw]: [string, Record<string, string | number | (string | number)[] | undefined>] =
    typeof slo === 'string' ? [slo, {}] : [slo.check, slo.where];
  const where: SloWhere = {};
  for (const [f, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    const levels = Array.isArray(v) ? v : [v];
    where[f as keyof SloWhere] = levels.map((l, j) =>
      f === 'POP' ? popLevel(source, X, l, j).count : Number(l),
    );
  }
  try {
    return parseSlo(expression, where);
  } catch (e: unknown) {
    if (!(e instanceof KosTestError)) throw e;
    throw new KosTestError({ what: `${source}: slos[${i}]: ${e.what}`, value: e.value, fix: e.fix });
  }
}

function faultLevels(source: string, spec: ExperimentSpec, cruiseS: number): (FaultScenario | null)[] {
  const names = Object.keys(spec.faults);
  const levels = spec.factors.faults.map((level, i) => {
    if (level === FAULT_NONE) return null;
    const f = spec.faults[level];
    if (f === undefined)
      throw new KosTestError({
        what: `${source}: factors.faults[${i}] names no fault scenario`,
        value: level,
        fix: `define it under faults:, or use one of ${[FAULT_NONE, ...names].join(', ')}`,
      });
    const scenario = resolveScenario(level, f);
    if (scenario.atMs !== undefined && scenario.atMs >= cruiseS * 1000)
      throw new KosTestError({
        what: `${source}: faults.${level}.at is not inside the cruise`,
        value: `${scenario.atMs / 1000}s of a ${cruiseS}s cruise`,
        fix: 'inject earlier, or lengthen the cruise',
      });
    return scenario;
  });
  if (levels.some((l) => l !== null)) {
    if (spec.target.kind !== 'testbed')
      throw new KosTestError({
        what: `${source}: faults need the embedded testbed`,
        value: `target: ${spec.target.kind}`,
        fix: 'use target: testbed, or leave factors.faults at [none] (on a cluster, inject with your own chaos tool)',
      });
    if (spec.driver.shards > 1)
      throw new KosTestError({
        what: `${source}: faults need one driver process`,
        value: `driver.shards: ${spec.driver.shards}`,
        fix: 'set driver.shards: 1 in a sweep with faults',
      });
  }
  return levels;
}

function popLevel(source: string, X: number, level: string | number, i: number): PopLevel {
  if (typeof level === 'string') {
    const multiple = Number(level.slice(0, -1));
    if (multiple < 1) {
      throw new KosTestError({
        what: `${source}: factors.POP[${i}] is not a positive multiple of X`,
        value: level,
        fix: 'use 1X, 2X, ...',
      });
    }
    return { text: level, multiple, count: multiple * X };
  }
  if (level % X !== 0) {
    throw new KosTestError({
      what: `${source}: factors.POP[${i}] is not a multiple of X=${X}`,
      value: String(level),
      fix: `write POP levels as multiples of X such as ${Math.max(1, Math.round(level / X))}X, or change X`,
    });
  }
  return { text: `${level / X}X`, multiple: level / X, count: level };
}

export function parseSpecText(source: string, text: string): ResolvedSpec {
  const doc = parseDocument(text, { prettyErrors: false });
  const first = doc.errors[0];
  if (first !== undefined) {
    throw new KosTestError({
      what: `${source}: not valid YAML`,
      value: first.message.split('\n')[0] ?? first.message,
      fix: 'correct the YAML syntax at that place',
    });
  }
  return parseSpecData(source, doc.toJS());
}

export type { ExperimentSpec };
