/**
 * The one ^C and SIGTERM model of the long-running commands (`drive`, `experiment run`, the
 * testbed's): the first ^C stops gracefully (what was measured is kept and recorded), a second
 * ^C or a SIGTERM stops now (the outputs are still written), and one more signal exits at once
 * (exit.ts; the child registry's 'exit' hook kills what is left). Every long operation takes
 * `stop` or `now`; their reason is the KosTestError the command ends with.
 */
import { KosTestError } from '../util/errors.js';
import { exitNow } from './exit.js';

export type InterruptSignal = 'SIGINT' | 'SIGTERM';
/** Where a command is: running, stopping gracefully, stopping now, or exiting at once. */
export type InterruptLevel = 'running' | 'stop' | 'now' | 'exit';

/** The level after `signal` arrives at `level` (pure): ^C steps up one level, SIGTERM to `now`. */
export function nextLevel(level: InterruptLevel, signal: InterruptSignal): InterruptLevel {
  if (level === 'running') return signal === 'SIGINT' ? 'stop' : 'now';
  return level === 'stop' ? 'now' : 'exit';
}

/** Exit codes by the signal that stopped the command, as a shell reports them (128 + signal). */
export const SIGNAL_EXIT_CODES: Record<InterruptSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export interface Interruption {
  /** Aborted at the first ^C (and with `now`): stop gracefully, keep what was measured. */
  readonly stop: AbortSignal;
  /** Aborted at a second ^C or a SIGTERM: stop now; the outputs are still written. */
  readonly now: AbortSignal;
  /** Removes the signal handlers (the command is done). */
  dispose(): void;
}

export interface InterruptText {
  /** What the first ^C does, e.g. 'ending the cruise; deleting what is live'. */
  stop: string;
  /** What stopping now does, e.g. 'stopping now; the outputs are still written'. */
  now: string;
  /** The fix the command's final error names, e.g. 'run it again with --resume'. */
  fix: string;
}

/** Installs the handlers; `say` tells the user each step. */
export function onInterrupt(say: (m: string) => void, text: InterruptText): Interruption {
  const stop = new AbortController();
  const now = new AbortController();
  let level: InterruptLevel = 'running';
  const reason = (signal: InterruptSignal): KosTestError =>
    new KosTestError({
      what: 'interrupted',
      value: signal === 'SIGINT' ? '^C' : signal,
      fix: text.fix,
      exitCode: SIGNAL_EXIT_CODES[signal],
    });
  const handle = (signal: InterruptSignal): void => {
    level = nextLevel(level, signal);
    if (level === 'stop') {
      say(`${signal === 'SIGINT' ? '^C' : signal}: ${text.stop} (^C again stops now)`);
      stop.abort(reason(signal));
    } else if (level === 'now') {
      say(`${signal === 'SIGINT' ? '^C' : signal}: ${text.now} (^C again exits at once)`);
      if (!stop.signal.aborted) stop.abort(reason(signal));
      now.abort(reason(signal));
    } else exitNow(SIGNAL_EXIT_CODES[signal]);
  };
  const onInt = (): void => {
    handle('SIGINT');
  };
  const onTerm = (): void => {
    handle('SIGTERM');
  };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    stop: stop.signal,
    now: now.signal,
    dispose: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}
