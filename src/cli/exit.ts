/** The one place that turns a failure into what the user sees and the exit code. */
import type { SweepOutcome } from '../experiment/verdict/verdict.js';
import { killChildrenOnExit, stopAllChildren } from '../process/child-registry.js';
import { KosTestError, toError } from '../util/errors.js';
import { pathProblem } from './path-problem.js';

/**
 * Exit codes of `experiment run`, `experiment verdict` and `drive` by their verdict (README
 * "Exit codes"); the worst outcome wins. Bad input exits 1, `costs` with partial data 3, and an
 * unexpected error 70.
 */
export const VERDICT_EXIT_CODES: Record<SweepOutcome, number> = {
  pass: 0,
  'slo-failed': 4,
  invalid: 5,
  failed: 6,
};

export const EXIT_CODES_HELP = `
Exit codes:
  0   every run valid and every SLO met
  1   bad input (spec, flags, files, a path that cannot be written): one line says what and how to fix it
  4   an SLO failed (every run valid)
  5   a run is invalid: it measured, but a validity check failed (e.g. host saturated)
  6   a run failed: nothing usable measured
  70  unexpected error (a bug: please report it with the stack)`;

export function reportFailure(
  thrown: unknown,
  write: (line: string) => void = (l) => process.stderr.write(l),
): number {
  if (thrown instanceof KosTestError) {
    write(`kos-test: ${thrown.message}\n`);
    return thrown.exitCode;
  }
  const onPath = pathProblem(thrown);
  if (onPath !== undefined) {
    write(`kos-test: ${onPath}\n`);
    return 1;
  }
  const error = toError(thrown);
  write(`kos-test: unexpected error: ${error.stack ?? error.message}\n`);
  return 70;
}

/**
 * Exits this process at once with `code`: the only process.exit of the CLI. The child
 * registry's 'exit' hook SIGKILLs every child still running.
 */
export function exitNow(code: number): never {
  process.exit(code);
}

/** Stops every child (each group in its own order), then exits with `code`. */
export function stopChildrenAndExit(code: number): void {
  void stopAllChildren().finally(() => exitNow(code));
}

let exitHandlersInstalled = false;

/**
 * For commands with nothing to record (testbed up, selftest, calibrate): ^C or SIGTERM stops
 * every child, then exits 130/143; a second signal exits at once ('exit' SIGKILLs the rest).
 * `drive` and `experiment run` stop in two steps instead (interrupt.ts). Idempotent.
 */
export function installExitHandlers(): void {
  killChildrenOnExit();
  if (exitHandlersInstalled) return;
  exitHandlersInstalled = true;
  let exiting = false;
  const onSignal = (code: number) => () => {
    if (exiting) exitNow(code);
    exiting = true;
    stopChildrenAndExit(code);
  };
  process.on('SIGINT', onSignal(130));
  process.on('SIGTERM', onSignal(143));
}
