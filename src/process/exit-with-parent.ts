/**
 * A process kos-test started must not outlive the kos-test process that started it, even when
 * that one was SIGKILLed (it then cannot stop anyone). spawnManaged names the starter in the
 * child's environment; the child checks each second that it is still the starter's child (an
 * orphan is re-parented) and otherwise stops itself as on SIGTERM, children first; one whose
 * starter died before it began to check (a testbed node restarted as its supervisor was killed)
 * stops at once. A kos-test command a user starts from a shell has no such variable, so `nohup`
 * keeps working. Foreign binaries (etcd, Prometheus) cannot check: the kernel kills them instead
 * (withParentDeathSignal).
 */
import { findOnPath } from './find-binary.js';
import { pidAlive } from './pid-alive.js';
export const SUPERVISOR_PID_ENV = 'KOS_TEST_SUPERVISOR_PID';

const CHECK_MS = 1000;

/** The environment entry spawnManaged gives every child. */
export function supervisorEnv(): Record<string, string> {
  return { [SUPERVISOR_PID_ENV]: String(process.pid) };
}

/**
 * Calls `stop` once when this process has lost the kos-test parent that started it; does nothing
 * when no kos-test process started it. Returns a cancel function.
 */
export function exitWithParent(stop: () => void): () => void {
  const parent = process.ppid;
  const starter = process.env[SUPERVISOR_PID_ENV];
  if (starter === undefined) return () => undefined;
  if (starter !== String(parent)) {
    // Either it inherited the variable from a kos-test process further up, which lives on (nothing
    // to watch), or it was re-parented before this call: its starter died while it started up.
    const pid = Number(starter);
    if (Number.isInteger(pid) && pid > 0 && !pidAlive(pid)) setImmediate(stop);
    return () => undefined;
  }
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    stop();
  }, CHECK_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}

/**
 * The command line that starts `command` with the kernel's parent-death signal set to SIGKILL
 * (util-linux's setpriv, which then execs it: the PID stays the child's). The signal follows the
 * thread that forked, and node spawns from its main thread, so it fires when this process dies.
 * Without setpriv on PATH (ops/install-deps.sh installs it) the command is unchanged, and the
 * next start in the same place still stops what is left (owned-pids.ts).
 */
export function withParentDeathSignal(
  cmd: { command: string; args: readonly string[] },
  env: NodeJS.ProcessEnv,
): { command: string; args: string[] } {
  const setpriv = findOnPath('setpriv', env.PATH ?? '');
  if (setpriv === undefined) return { command: cmd.command, args: [...cmd.args] };
  return { command: setpriv, args: ['--pdeathsig', 'KILL', '--', cmd.command, ...cmd.args] };
}
