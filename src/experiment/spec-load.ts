/**
 * Parses an experiment spec (YAML text) and resolves it: durations in seconds, POP levels as
 * attachment counts. Any problem is one KosTestError line naming the bad value and the fix.
 */
import { parseDocument } from 'yaml';
import { KosTestError } from '../util/errors.js';
import { specIssueError } from './spec-errors.js';
import { experimentSpecSchema, type ExperimentSpec } from './spec-schema.js';

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
}

const UNIT_S: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

export function durationSeconds(d: number | string): number {
  if (typeof d === 'number') return d;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(d);
  if (m === null) throw new KosTestError({ what: 'bad duration', value: d, fix: 'write e.g. 30s, 2m or 1h' });
  return Number(m[1]) * (UNIT_S[m[2] ?? 's'] ?? 1);
}

export function parseSpecData(source: string, data: unknown): ResolvedSpec {
  const parsed = experimentSpecSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue !== undefined) throw specIssueError(source, data, issue);
    throw new KosTestError({ what: `${source}: not a valid experiment spec` });
  }
  const spec = parsed.data;
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
  };
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
