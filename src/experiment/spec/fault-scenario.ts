/**
 * A fault scenario of the spec's `faults:` section (and of `drive --fault`): what to do to which
 * testbed process, and when in the cruise: once `at` a time, or on a seeded Poisson schedule.
 * `factors.faults` lists scenario names (or `none`) as the levels of one more factor.
 */
import { z } from 'zod';
import { FAULT_ACTIONS } from '../../measure/fault-record.js';
import { FAULT_TARGET_NAMES, type FaultTarget } from '../../testbed/supervisor/fault-actions.js';
import { KosTestError } from '../../util/errors.js';
import { durationSchema, durationSeconds } from './spec-duration.js';

/** The faults level of a run without a fault. */
export const FAULT_NONE = 'none';

export const faultScenarioSchema = z
  .strictObject({
    action: z.enum(FAULT_ACTIONS).describe('kill (SIGKILL) or stop (SIGSTOP, then SIGCONT after `for`)'),
    target: z.enum(FAULT_TARGET_NAMES).describe('the kind of testbed process hit'),
    index: z
      .number()
      .int()
      .nonnegative()
      .default(0)
      .describe('which one of its kind, in name order (default 0)'),
    at: durationSchema.optional().describe('once, this long into the cruise'),
    poisson: z
      .strictObject({
        mean: durationSchema.describe('mean time between faults'),
        seed: z.number().int().nonnegative().describe('seed of the schedule'),
      })
      .optional()
      .describe('faults at exponential gaps through the cruise (one at a time)'),
    for: durationSchema.optional().describe('a stop: how long the process stays stopped (required)'),
  })
  .superRefine((f, ctx) => {
    if ((f.at === undefined) === (f.poisson === undefined))
      ctx.addIssue({ code: 'custom', message: 'give exactly one of at (one fault) or poisson (a schedule)' });
    if (f.action === 'stop' && f.for === undefined)
      ctx.addIssue({ code: 'custom', path: ['for'], message: 'a stop needs `for`, e.g. for: 5s' });
  })
  .describe('a fault: action, target, and at or poisson');
export type FaultScenarioInput = z.input<typeof faultScenarioSchema>;

/** A scenario with its times in ms. */
export interface FaultScenario {
  name: string;
  action: (typeof FAULT_ACTIONS)[number];
  target: FaultTarget;
  index: number;
  atMs?: number;
  poisson?: { meanMs: number; seed: number };
  durationMs?: number;
}

export function resolveScenario(name: string, f: z.output<typeof faultScenarioSchema>): FaultScenario {
  const ms = (d: number | string): number => durationSeconds(d) * 1000;
  return {
    name,
    action: f.action,
    target: f.target,
    index: f.index,
    ...(f.at === undefined ? {} : { atMs: ms(f.at) }),
    ...(f.poisson === undefined ? {} : { poisson: { meanMs: ms(f.poisson.mean), seed: f.poisson.seed } }),
    ...(f.action === 'stop' && f.for !== undefined ? { durationMs: ms(f.for) } : {}),
  };
}

const DUR = '(\\d+(?:\\.\\d+)?(?:ms|s|m|h))';
const FLAG = new RegExp(`^(\\w+):([a-z-]+)(?:#(\\d+))?@(?:${DUR}|poisson\\(${DUR},(\\d+)\\))(?:\\+${DUR})?$`);
const FLAG_FIX =
  'write ACTION:TARGET[#INDEX]@AT[+FOR], e.g. stop:agent-group@10s+5s, kill:napi#1@20s, kill:nctrl@poisson(30s,7)';

/** `drive --fault TEXT` as a scenario named by its text (pure). */
export function parseFaultFlag(text: string): FaultScenario {
  const m = FLAG.exec(text.trim());
  if (m === null) throw new KosTestError({ what: 'bad --fault', value: text, fix: FLAG_FIX });
  const [, action, target, index, at, mean, seed, dur] = m;
  const parsed = faultScenarioSchema.safeParse({
    action,
    target,
    ...(index === undefined ? {} : { index: Number(index) }),
    ...(at === undefined ? {} : { at }),
    ...(mean === undefined ? {} : { poisson: { mean, seed: Number(seed) } }),
    ...(dur === undefined ? {} : { for: dur }),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') ?? '';
    throw new KosTestError({
      what: 'bad --fault',
      value: `${text}: ${where === '' ? '' : `${where}: `}${issue?.message ?? 'invalid'}`,
      fix: FLAG_FIX,
    });
  }
  return resolveScenario(text.trim(), parsed.data);
}
