/**
 * Child processes that never outlive us: every child is registered, stopped by PID on ^C,
 * SIGTERM or failure, and SIGKILLed on exit as a last resort.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedChild {
  readonly name: string;
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  isRunning(): boolean;
  stop(opts?: { graceMs?: number; signal?: NodeJS.Signals }): Promise<void>;
}

const registry = new Set<ManagedChild>();

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout and stderr are appended here; without it they are discarded. */
  logFile?: string;
}

export function spawnManaged(opts: SpawnOptions): Promise<ManagedChild> {
  const fd = opts.logFile === undefined ? 'ignore' : openSync(opts.logFile, 'a');
  const child = spawn(opts.command, opts.args, {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    stdio: ['ignore', fd, fd],
    detached: false,
  });
  if (typeof fd === 'number') closeSync(fd);
  return new Promise((resolve, reject) => {
    child.once('error', (e) => {
      reject(e);
    });
    child.once('spawn', () => {
      let running = true;
      const exited = new Promise<ExitInfo>((done) => {
        child.once('exit', (code, signal) => {
          running = false;
          registry.delete(managed);
          done({ code, signal });
        });
      });
      const pid = child.pid ?? -1;
      let stopping: Promise<void> | undefined;
      const managed: ManagedChild = {
        name: opts.name,
        pid,
        exited,
        isRunning: () => running,
        stop: (o) => {
          stopping ??= (async () => {
            if (!running) return;
            child.kill(o?.signal ?? 'SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), o?.graceMs ?? 5000);
            await exited;
            clearTimeout(timer);
          })();
          return stopping;
        },
      };
      registry.add(managed);
      resolve(managed);
    });
  });
}

export async function stopAllChildren(): Promise<void> {
  await Promise.allSettled([...registry].map((c) => c.stop()));
}

let installed = false;

/** On SIGINT/SIGTERM: stop every child, then exit 130/143. On exit: SIGKILL any left. */
export function installExitHandlers(): void {
  if (installed) return;
  installed = true;
  const onSignal = (signal: NodeJS.Signals, code: number) => {
    process.once(signal, () => {
      void stopAllChildren().finally(() => process.exit(code));
    });
  };
  onSignal('SIGINT', 130);
  onSignal('SIGTERM', 143);
  process.once('exit', () => {
    for (const c of registry) {
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
}
