/**
 * Faults the supervisor injects into its own testbed: SIGKILL, or SIGSTOP then SIGCONT after a
 * time, of one process it started (found by kind and index among the processes its status
 * lists, signalled by that PID). A stopped process is always continued: on its timer, or by
 * releaseAll() before the testbed goes down.
 */
import { z } from 'zod';
import { FAULT_ACTIONS } from '../../measure/fault-record.js';
import { KosTestError } from '../../util/errors.js';
import type { Purpose } from '../node-addresses.js';

/** What a fault names, and the purpose of the processes it hits. */
export const FAULT_TARGETS = {
  napi: 'napi',
  nctrl: 'nctrl',
  kctrl: 'kctrl',
  'kube-front': 'kapi',
  'agent-group': 'comp',
  netcd: 'netcd',
  ketcd: 'ketcd',
} as const satisfies Record<string, Purpose>;
export type FaultTarget = keyof typeof FAULT_TARGETS;
export const FAULT_TARGET_NAMES = Object.keys(FAULT_TARGETS) as [FaultTarget, ...FaultTarget[]];

export const faultRequestSchema = z.strictObject({
  action: z.enum(FAULT_ACTIONS),
  target: z.enum(FAULT_TARGET_NAMES),
  /** Which process of the kind, in name order. @default 0 */
  index: z.number().int().nonnegative().default(0),
  /** A stop: how long until SIGCONT (required for a stop, ignored for a kill). */
  durationMs: z.number().positive().optional(),
});
export type FaultRequest = z.input<typeof faultRequestSchema>;

export interface FaultProcess {
  name: string;
  purpose: string;
  pid: number;
  running: boolean;
}

export interface FaultInjected {
  process: string;
  pid: number;
  injectedMs: number;
  /** When the SIGCONT is due (a kill: = injectedMs). */
  endsMs: number;
  /** Resolves with the wall time of the SIGCONT (a kill: at once). */
  ended: Promise<number>;
}

/** The process a fault hits (pure): the index-th of its kind, which must be running. */
export function faultVictim(
  processes: readonly FaultProcess[],
  target: FaultTarget,
  index: number,
): FaultProcess {
  const kind = processes
    .filter((p) => p.purpose === FAULT_TARGETS[target])
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  const victim = kind[index];
  if (victim === undefined)
    throw new KosTestError({
      what: `no ${target} #${index} to fault`,
      value: `the testbed runs ${kind.length} (${kind.map((p) => p.name).join(', ') || 'none'})`,
      fix: `pick an index below ${kind.length}, or scale the testbed up`,
    });
  if (!victim.running || victim.pid <= 0)
    throw new KosTestError({
      what: `${victim.name} is not running`,
      value: `${target} #${index}`,
      fix: 'wait for it to be restarted, or fault another one',
    });
  return victim;
}

export class FaultInjector {
  private readonly stopped = new Map<number, { timer: NodeJS.Timeout; cont: () => void }>();

  constructor(
    private readonly processes: () => readonly FaultProcess[],
    private readonly now: () => number = Date.now,
  ) {}

  inject(input: FaultRequest): FaultInjected {
    const req = faultRequestSchema.parse(input);
    const victim = faultVictim(this.processes(), req.target, req.index);
    if (this.stopped.has(victim.pid))
      throw new KosTestError({ what: `${victim.name} is already stopped`, fix: 'wait for its SIGCONT' });
    if (req.action === 'kill') {
      process.kill(victim.pid, 'SIGKILL');
      const t = this.now();
      return { process: victim.name, pid: victim.pid, injectedMs: t, endsMs: t, ended: Promise.resolve(t) };
    }
    if (req.durationMs === undefined)
      throw new KosTestError({ what: 'a stop fault needs its duration', fix: 'give durationMs' });
    process.kill(victim.pid, 'SIGSTOP');
    const injectedMs = this.now();
    const ended = new Promise<number>((resolve) => {
      const cont = (): void => {
        clearTimeout(entry.timer);
        this.stopped.delete(victim.pid);
        try {
          process.kill(victim.pid, 'SIGCONT');
        } catch {
          // It died while stopped (the testbed went down): nothing to continue.
        }
        resolve(this.now());
      };
      const entry = { timer: setTimeout(cont, req.durationMs), cont };
      this.stopped.set(victim.pid, entry);
    });
    return { process: victim.name, pid: victim.pid, injectedMs, endsMs: injectedMs + req.durationMs, ended };
  }

  /** Continues every process still stopped (before the testbed goes down, or on abort). */
  releaseAll(): void {
    for (const { cont } of [...this.stopped.values()]) cont();
  }
}
