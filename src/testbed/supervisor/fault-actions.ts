/**
 * Faults the supervisor injects into its own testbed: SIGKILL, or SIGSTOP then SIGCONT after a
 * time, of one process it started (found by kind and index among the processes its status
 * lists, signalled by that PID); or a network delay or partition of that process's listening
 * address for a time, by the relay in front of it (ADR 0034). A stopped process is always
 * continued and a network fault always healed: on its timer, or by releaseAll() before the
 * testbed goes down.
 */
import { z } from 'zod';
import { FAULT_ACTIONS, type FaultAction } from '../../measure/fault-record.js';
import { KosTestError } from '../../util/errors.js';
import type { Purpose } from '../node-addresses.js';
import { PASS, type NetMode } from '../relay/delay-line.js';

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

/** Faults of the network rather than of the process. */
export const NETWORK_FAULT_ACTIONS = ['delay', 'partition'] as const satisfies readonly FaultAction[];
/** The targets clients connect to, where a relay can stand (the others only connect out). */
export const NETWORK_FAULT_TARGETS = [
  'napi',
  'kube-front',
  'netcd',
  'ketcd',
] as const satisfies readonly FaultTarget[];

export function isNetworkFault(action: FaultAction): action is (typeof NETWORK_FAULT_ACTIONS)[number] {
  return (NETWORK_FAULT_ACTIONS as readonly FaultAction[]).includes(action);
}

export const faultRequestSchema = z.strictObject({
  action: z.enum(FAULT_ACTIONS),
  target: z.enum(FAULT_TARGET_NAMES),
  /** Which process of the kind, in name order. @default 0 */
  index: z.number().int().nonnegative().default(0),
  /** A stop, delay or partition: how long until it ends (required for those, ignored for a kill). */
  durationMs: z.number().positive().optional(),
  /** A delay: the one-way latency added, ms (required for a delay). */
  delayMs: z.number().positive().optional(),
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
  /** When the SIGCONT or heal is due (a kill: = injectedMs). */
  endsMs: number;
  /** Resolves with the wall time of the SIGCONT or heal (a kill: at once). */
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

/** Where a network fault acts: the relay in front of a process's listening address. */
export interface NetFaultGate {
  setMode(mode: NetMode): void;
}

export class FaultInjector {
  /** Faults in progress (a stop, delay or partition), by process name, with their ending. */
  private readonly active = new Map<string, { timer: NodeJS.Timeout; end: () => void }>();

  constructor(
    private readonly processes: () => readonly FaultProcess[],
    private readonly now: () => number = Date.now,
    /** The relay in front of a process; absent or undefined: the testbed has none (no --net-faults). */
    private readonly network: (processName: string) => NetFaultGate | undefined = () => undefined,
  ) {}

  inject(input: FaultRequest): FaultInjected {
    const req = faultRequestSchema.parse(input);
    const victim = faultVictim(this.processes(), req.target, req.index);
    if (this.active.has(victim.name))
      throw new KosTestError({
        what: `${victim.name} already has a fault in progress`,
        fix: 'wait for it to end',
      });
    if (req.action === 'kill') {
      process.kill(victim.pid, 'SIGKILL');
      const t = this.now();
      return { process: victim.name, pid: victim.pid, injectedMs: t, endsMs: t, ended: Promise.resolve(t) };
    }
    const durationMs = req.durationMs;
    if (durationMs === undefined)
      throw new KosTestError({ what: `a ${req.action} fault needs its duration`, fix: 'give durationMs' });
    const end = this.begin(victim, req);
    const injectedMs = this.now();
    const ended = new Promise<number>((resolve) => {
      const finish = (): void => {
        clearTimeout(entry.timer);
        this.active.delete(victim.name);
        end();
        resolve(this.now());
      };
      const entry = { timer: setTimeout(finish, durationMs), end: finish };
      this.active.set(victim.name, entry);
    });
    return { process: victim.name, pid: victim.pid, injectedMs, endsMs: injectedMs + durationMs, ended };
  }

  /** Starts a timed fault on `victim`; returns what ends it. */
  private begin(victim: FaultProcess, req: z.output<typeof faultRequestSchema>): () => void {
    if (req.action === 'stop') {
      process.kill(victim.pid, 'SIGSTOP');
      return () => {
        try {
          process.kill(victim.pid, 'SIGCONT');
        } catch {
          // It died while stopped (the testbed went down): nothing to continue.
        }
      };
    }
    if (!(NETWORK_FAULT_TARGETS as readonly FaultTarget[]).includes(req.target))
      throw new KosTestError({
        what: `a ${req.action} fault cannot hit ${req.target}`,
        value: `it listens for no client`,
        fix: `target one of ${NETWORK_FAULT_TARGETS.join(', ')}`,
      });
    const gate = this.network(victim.name);
    if (gate === undefined)
      throw new KosTestError({
        what: `no network-fault relay in front of ${victim.name}`,
        fix: 'bring the testbed up with --net-faults (a sweep with a delay or partition fault does so itself)',
      });
    if (req.action === 'delay') {
      if (req.delayMs === undefined)
        throw new KosTestError({ what: 'a delay fault needs its latency', fix: 'give delayMs' });
      gate.setMode({ kind: 'delay', delayMs: req.delayMs });
    } else gate.setMode({ kind: 'partition' });
    return () => {
      gate.setMode(PASS);
    };
  }

  /** Ends every fault still in progress: continues stopped processes, heals the network. */
  releaseAll(): void {
    for (const { end } of [...this.active.values()]) end();
  }
}
