/**
 * Child processes that never outlive us: every child is registered until it exits, stopped by
 * PID (stopAllChildren, which the CLI calls on ^C or SIGTERM), and SIGKILLed on 'exit' as a last
 * resort. Output goes to a log file or
 * nowhere, never to our terminal.
 */
import { spawn, type Serializable } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { KosTestError, toError } from '../util/errors.js';
import { supervisorEnv, withParentDeathSignal } from './exit-with-parent.js';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnManagedOptions {
  /** Shown in errors, e.g. 'netcd0'. */
  name: string;
  command: string;
  args: string[];
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout and stderr are appended here; without it they are discarded. */
  logFile?: string;
  /**
   * The kernel SIGKILLs the child when we die, even by SIGKILL (setpriv --pdeathsig): for foreign
   * binaries (etcd, Prometheus) that cannot watch their parent as our node children do.
   * @default false
   */
  diesWithParent?: boolean;
  /** Opens a node IPC channel to the child (a node process) and hands its messages here. */
  onMessage?: (message: unknown) => void;
}

export interface StopOptions {
  /** How long after SIGTERM to wait before SIGKILL. @default 5000 */
  graceMs?: number;
}

export interface ManagedChild {
  readonly name: string;
  readonly pid: number;
  /** Resolves (never rejects) once the process has exited and been reaped. */
  readonly exited: Promise<ChildExit>;
  isRunning(): boolean;
  /** SIGTERM, then SIGKILL after graceMs; resolves once exited. Idempotent. */
  stop(opts?: StopOptions): Promise<void>;
  /** Sends one signal now (e.g. SIGKILL to simulate a crash); no-op once exited. */
  kill(signal: NodeJS.Signals): void;
  /**
   * Sends one message over the IPC channel (a child spawned with onMessage); resolves once it is
   * handed over, rejects when there is no channel or it has closed.
   */
  send(message: unknown): Promise<void>;
}

const DEFAULT_GRACE_MS = 5000;
const registry = new Set<ManagedChild>();

/**
 * Starts a child and registers it. Throws KosTestError at once if the process cannot be started
 * (missing command, bad cwd, no permission, unwritable log file).
 */
export function spawnManaged(opts: SpawnManagedOptions): ManagedChild {
  const env = { ...(opts.env ?? process.env), ...supervisorEnv() };
  const out = opts.logFile === undefined ? 'ignore' : openLog(opts.name, opts.logFile);
  const { command, args } = opts.diesWithParent === true ? withParentDeathSignal(opts, env) : opts;
  let child;
  try {
    child = spawn(command, args, {
      env,
      cwd: opts.cwd,
      stdio: opts.onMessage === undefined ? ['ignore', out, out] : ['ignore', out, out, 'ipc'],
      // Its own process group: a terminal's ^C reaches only us, and we stop the children in
      // order (a graceful stop still needs the target it measures). They still die with us.
      detached: true,
    });
  } finally {
    // The child holds its own copy of the descriptor.
    if (typeof out === 'number') closeSync(out);
  }
  // Node reports spawn failures (and failed kills) as 'error' events; without a listener they crash us.
  child.on('error', () => undefined);
  if (opts.onMessage !== undefined) child.on('message', opts.onMessage);
  const pid = child.pid;
  if (pid === undefined) {
    throw new KosTestError({
      what: `cannot start ${opts.name}`,
      value: `${opts.command}: ${explainSpawnFailure(opts.command, opts.cwd, env)}`,
      fix: 'install the program or correct its path, and check the working directory exists',
    });
  }

  let running = true;
  const exited = new Promise<ChildExit>((done) => {
    child.once('exit', (code, signal) => {
      running = false;
      registry.delete(managed);
      done({ code, signal });
    });
  });
  let stopping: Promise<void> | undefined;
  const kill = (signal: NodeJS.Signals): void => {
    if (running) child.kill(signal);
  };
  const managed: ManagedChild = {
    name: opts.name,
    pid,
    exited,
    isRunning: () => running,
    kill,
    send: (message) =>
      new Promise<void>((resolve, reject) => {
        if (!child.connected) {
          reject(new Error(`${opts.name} has no open IPC channel`));
          return;
        }
        child.send(message as Serializable, (e) => {
          if (e === null) resolve();
          else reject(e);
        });
      }),
    stop: (stopOpts) => {
      stopping ??= (async () => {
        if (!running) return;
        kill('SIGTERM');
        const timer = setTimeout(() => {
          kill('SIGKILL');
        }, stopOpts?.graceMs ?? DEFAULT_GRACE_MS);
        try {
          await exited;
        } finally {
          clearTimeout(timer);
        }
      })();
      return stopping;
    },
  };
  registry.add(managed);
  return managed;
}

/** Children started by spawnManaged that have not exited yet. */
export function runningChildren(): ManagedChild[] {
  return [...registry];
}

const stopHooks = new Set<() => Promise<void>>();

/**
 * Lets a group of children stop in its own order when all are stopped (an etcd cluster stops
 * its members one by one). Returns a function that removes the hook.
 */
export function addStopHook(stop: () => Promise<void>): () => void {
  stopHooks.add(stop);
  return () => stopHooks.delete(stop);
}

/** Runs the stop hooks, then stops every child still registered (SIGTERM, SIGKILL after graceMs). */
export async function stopAllChildren(opts?: StopOptions): Promise<void> {
  await Promise.allSettled([...stopHooks].map((stop) => stop()));
  await Promise.all([...registry].map((c) => c.stop(opts)));
}

let exitHookInstalled = false;

/**
 * On 'exit', SIGKILLs whatever is still registered: the last resort when the process ends without
 * stopping its children (src/cli/exit.ts and interrupt.ts stop them in order first). Idempotent.
 */
export function killChildrenOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killAllNow);
}

function killAllNow(): void {
  for (const c of registry) {
    try {
      process.kill(c.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

function openLog(name: string, logFile: string): number {
  try {
    return openSync(logFile, 'a');
  } catch (e: unknown) {
    throw new KosTestError({
      what: `cannot open the log file for ${name}`,
      value: `${logFile}: ${toError(e).message}`,
      fix: 'make sure its directory exists and is writable',
      cause: e,
    });
  }
}

/** Node only says why a spawn failed asynchronously, so recheck the likely causes here. */
function explainSpawnFailure(command: string, cwd: string | undefined, env: NodeJS.ProcessEnv): string {
  if (cwd !== undefined && !isDirectory(cwd)) return `working directory ${cwd} does not exist`;
  if (command.includes('/')) {
    const path = isAbsolute(command) ? command : resolve(cwd ?? '.', command);
    return executableProblem(path) ?? 'the system refused to start it (too many processes or open files?)';
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  const found = dirs.some((d) => executableProblem(join(d, command)) === undefined);
  return found ? 'the system refused to start it (too many processes or open files?)' : 'not found on PATH';
}

function executableProblem(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return 'not a regular file';
    accessSync(path, constants.X_OK);
    return undefined;
  } catch (e: unknown) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'not executable' : toError(e).message;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
