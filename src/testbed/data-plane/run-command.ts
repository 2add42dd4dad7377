/**
 * Runs one command to completion for the data plane and reports it as KOS's ExecReport: exit
 * status, the first 64 KiB of stdout and stderr, start and stop times (RFC 3339, seconds, as
 * metav1.Time). A command that outlives its timeout is killed with its whole process group and
 * reported with EXEC_TIMED_OUT; one that cannot start, with EXEC_FAILED_TO_START.
 */
import { spawn } from 'node:child_process';
import type { ExecReport } from '../../api/kos-types.js';
import { EXEC_FAILED_TO_START, EXEC_TIMED_OUT } from './exec-command.js';

const OUTPUT_LIMIT = 64 * 1024;

export interface RunningCommand {
  /** Settles with the report; never rejects. */
  done: Promise<ExecReport>;
  /** Kills the command's process group (a deleted attachment's test need not finish). */
  kill(): void;
}

export function metaTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

/**
 * Starts `argv`, in network namespace `netns` when given. Through `nsenter --net` rather than `ip
 * netns exec`: the latter also gives the command a mount namespace of its own, where a namespace
 * the command makes with `ip netns add` is mounted invisibly to everyone else.
 */
export function startCommand(
  command: readonly string[],
  argv: readonly string[],
  opts: { timeoutMs: number; netns?: string },
): RunningCommand {
  const full = opts.netns === undefined ? [...argv] : ['nsenter', `--net=/run/netns/${opts.netns}`, ...argv];
  const started = Date.now();
  const report = (exitStatus: number, stdOut: string, stdErr: string): ExecReport => ({
    command: [...command],
    exitStatus,
    startTime: metaTime(started),
    stopTime: metaTime(Date.now()),
    stdOut,
    stdErr,
  });
  const child = spawn(full[0] ?? '', full.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    if (out.length < OUTPUT_LIMIT) out += d.slice(0, OUTPUT_LIMIT - out.length);
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (err.length < OUTPUT_LIMIT) err += d.slice(0, OUTPUT_LIMIT - err.length);
  });
  let timedOut = false;
  const killGroup = (): void => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, opts.timeoutMs);
  const done = new Promise<ExecReport>((resolve) => {
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve(report(EXEC_FAILED_TO_START, out, `${err}could not start ${full[0] ?? ''}: ${e.message}\n`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut)
        resolve(report(EXEC_TIMED_OUT, out, `${err}killed after the ${opts.timeoutMs} ms timeout\n`));
      else resolve(report(code ?? 128 + (signal === null ? 0 : 9), out, err));
    });
  });
  return { done, kill: killGroup };
}
