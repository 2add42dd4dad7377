/**
 * A fault scenario of the spec's `faults:` section (and of `drive --fault`): what to do to which
 * testbed process, and when in the cruise: once `at` a time, or on a seeded Poisson schedule.
 * `factors.faults` lists scenario names (or `none`) as the levels of one more factor.
 */
import { z } from 'zod';
import { FAULT_ACTIONS } from '../../measure/fault-record.js';
import {
  FAULT_TARGET_NAMES,
  isNetworkFault,
  NETWORK_FAULT_TARGETS,
  type FaultTarget,
} from '../../testbed/supervisor/fault-actions.js';
import { KosTestError } from '../../util/errors.js';
import { durationSchema, durationSeconds } from './spec-duration.js';

/** The faults level of a run without a fault. */
export const FAULT_NONE = 'none';

export const faultScenarioSchema = z
  .strictObject({
    action: z
      .enum(FAULT_ACTIONS)
      .describe(
        'kill (SIGKILL), stop (SIGSTOP, then SIGCONT after `for`), or for `for` a network delay (of `delay`) or partition of the target (ADR 0034)',
      ),
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
    for: durationSchema.optional().describe('a stop, delay or partition: how long it lasts (required)'),
    delay: durationSchema
      .optional()
      .describe('a delay: the one-way latency added to the target’s traffic, each way (required)'),
  })
  .superRefine((f, ctx) => {
    if ((f.at === undefined) === (f.poisson === undefined))
      ctx.addIssue({ code: 'custom', message: 'give exactly one of at (one fault) or poisson (a schedule)' });
    if (f.action !== 'kill' && f.for === undefined)
      ctx.addIssue({ code: 'custom', path: ['for'], message: `a ${f.action} needs \`for\`, e.g. for: 5s` });
    if ((f.action === 'delay') !== (f.delay !== undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['delay'],
        message:
          f.action === 'delay' ? 'a delay needs `delay`, e.g. delay: 200ms' : 'only a delay takes `delay`',
      });
    if (isNetworkFault(f.action) && !(NETWORK_FAULT_TARGETS as readonly string[]).includes(f.target))
      ctx.addIssue({
        code: 'custom',
        path: ['target'],
        message: `a ${f.action} hits a listening address: target one of ${NETWORK_FAULT_TARGETS.join(', ')}`,
      });
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
  /** A delay: the one-way latency added, ms. */
  delayMs?: number;
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
    ...(f.action !== 'kill' && f.for !== undefined ? { durationMs: ms(f.for) } : {}),
    ...(f.delay === undefined ? {} : { delayMs: ms(f.delay) }),
  };
}

const DUR = '(\\d+(?:\\.\\d+)?(?:ms|s|m|h))';
const FLAG = new RegExp(
  `^(\\w+)(?:\\(${DUR}\\))?:([a-z-]+)(?:#(\\d+))?@(?:${DUR}|poisson\\(${DUR},(\\d+)\\))(?:\\+${DUR})?$`,
);
const FLAG_FIX =
  'write ACTION:TARGET[#INDEX]@AT[+FOR], e.g. stop:agent-group@10s+5s, kill:napi#1@20s, kill:nctrl@poisson(30s,7), delay(200ms):napi@10s+5s, partition:netcd#1@10s+5s';

/** `drive --fault TEXT` as a scenario named by its text (pure). */
export function parseFaultFlag(text: string): FaultScenario {
  const m = FLAG.exec(text.trim());
  if (m === null) throw new KosTestError({ what: 'bad --fault', value: text, fix: FLAG_FIX });
  const [, action, delay, target, index, at, mean, seed, dur] = m;
  const parsed = faultScenarioSchema.safeParse({
    action,
    target,
    ...(index === undefined ? {} : { index: Number(index) }),
    ...(at === undefined ? {} : { at }),
    ...(mean === undefined ? {} : { poisson: { mean, seed: Number(seed) } }),
    ...(dur === undefined ? {} : { for: dur }),
    ...(delay === undefined ? {} : { delay }),
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
