/**
 * Injects one scenario's faults while a drive runs (I/O): waits for the driver's cruise window,
 * plans the fault times in it (fault-schedule.ts), and at each one asks the fault host (the
 * testbed's supervisor) to act, recording when it was planned, done and ended, or why not.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultEvent } from '../../measure/fault-record.js';
import type { FaultRequest } from '../../testbed/supervisor/fault-actions.js';
import { toError } from '../../util/errors.js';
import type { FaultScenario } from '../spec/fault-scenario.js';
import { faultTimes } from './fault-schedule.js';

/** Where faults are injected: the testbed's supervisor, in this process or behind its control endpoint. */
export interface FaultHost {
  inject(req: FaultRequest): Promise<{
    process: string;
    pid: number;
    injectedMs: number;
    /** Resolves with the wall time the fault ended (a stop's SIGCONT, a heal; a kill: at once). */
    ended: Promise<number>;
  }>;
}

/** A fault as injected, before its recovery is known. */
export type FaultDraft = Omit<FaultEvent, 'recoveryMs' | 'recoveredAtMs' | 'affected'>;

export interface FaultCampaign {
  /** The driver's planned cruise window (DriveDeps.onSchedule). */
  onSchedule(cruise: { startMs: number; endMs: number }): void;
  /** Stops planning (faults not yet due are recorded as not injected); waits for those in progress. */
  finish(): Promise<FaultDraft[]>;
}

export function startFaultCampaign(
  scenario: FaultScenario,
  host: FaultHost,
  log: (m: string) => void,
  now: () => number = Date.now,
): FaultCampaign {
  const done = new AbortController();
  let scheduled: (cruise: { startMs: number; endMs: number }) => void = () => undefined;
  const cruise = new Promise<{ startMs: number; endMs: number }>((resolve) => (scheduled = resolve));
  const base = {
    action: scenario.action,
    target: scenario.target,
    index: scenario.index,
    ...(scenario.delayMs === undefined ? {} : { delayMs: scenario.delayMs }),
  };
  const drafts: FaultDraft[] = [];
  const endings: Promise<void>[] = [];
  const run = async (): Promise<void> => {
    const c = await Promise.race([
      cruise,
      new Promise<null>((resolve) => {
        done.signal.addEventListener('abort', () => {
          resolve(null);
        });
      }),
    ]);
    if (c === null) return;
    for (const t of faultTimes(scenario, c.endMs - c.startMs)) {
      const plannedMs = c.startMs + t;
      const missed = (error: string): FaultDraft => ({
        ...base,
        process: '',
        pid: 0,
        plannedMs,
        injectedMs: null,
        endedMs: null,
        error,
      });
      try {
        await sleep(Math.max(0, plannedMs - now()), undefined, { signal: done.signal });
      } catch {
        drafts.push(missed('not injected: the drive ended first'));
        continue;
      }
      const req = {
        ...base,
        ...(scenario.durationMs === undefined ? {} : { durationMs: scenario.durationMs }),
      };
      try {
        const got = await host.inject(req);
        const draft: FaultDraft = {
          ...base,
          process: got.process,
          pid: got.pid,
          plannedMs,
          injectedMs: got.injectedMs,
          endedMs: null,
          error: null,
        };
        drafts.push(draft);
        log(`fault ${scenario.name}: ${scenario.action} ${got.process} (pid ${got.pid})`);
        endings.push(
          got.ended.then((t) => {
            draft.endedMs = t;
          }),
        );
        // One fault at a time: the next is planned after this one ended (fault-schedule.ts).
        await got.ended;
      } catch (e: unknown) {
        const why = toError(e).message;
        drafts.push(missed(why));
        log(`fault ${scenario.name} not injected: ${why}`);
      }
    }
  };
  const running = run();
  return {
    onSchedule: (c) => {
      scheduled(c);
    },
    finish: async () => {
      done.abort();
      await running;
      await Promise.all(endings);
      return drafts;
    },
  };
}
