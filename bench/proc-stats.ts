/**
 * CPU time and resident memory of any process on this machine, from /proc: how the benchmarks
 * charge the network-apiserver and etcd (each its own process) for the work they did.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { KosTestError, toError } from '../src/util/errors.js';

/** Sum of the given fields (1-based, as proc(5) numbers them, from 3 on) of /proc/<pid>/stat. */
function sumStatFields(stat: string, fields: readonly number[]): number {
  // The command name (field 2) is in parentheses and may hold spaces; fields count from after it.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const values = fields.map((f) => Number(rest[f - 3]));
  if (values.some((v) => !Number.isFinite(v))) {
    throw new Error(`unexpected /proc/<pid>/stat format: ${stat.slice(0, 120)}`);
  }
  return values.reduce((a, b) => a + b, 0);
}

/** utime + stime (fields 14 and 15) in clock ticks from the text of /proc/<pid>/stat. */
export function parseStatTicks(stat: string): number {
  return sumStatFields(stat, [14, 15]);
}

/** VmRSS in bytes from the text of /proc/<pid>/status. */
export function parseStatusRss(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (m === null) throw new Error('no VmRSS line in /proc/<pid>/status');
  return Number(m[1]) * 1024;
}

let clockTicks: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`; 100 on Linux when getconf is missing). */
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      clockTicks = 100;
    }
    if (!Number.isFinite(clockTicks) || clockTicks <= 0) clockTicks = 100;
  }
  return clockTicks;
}

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch (e: unknown) {
    throw new KosTestError({
      what: `cannot read /proc/${pid}/${file}`,
      value: toError(e).message,
      fix: 'the process has exited (see its log), or /proc is not mounted',
      cause: e,
    });
  }
}

/** User + system CPU seconds the process has used so far (10 ms resolution). */
export function cpuSeconds(pid: number): number {
  return parseStatTicks(readProc(pid, 'stat')) / ticksPerSecond();
}

export function rssBytes(pid: number): number {
  return parseStatusRss(readProc(pid, 'status'));
}

/** Busy clock ticks of all CPUs together, from the text of /proc/stat (all but idle and iowait). */
export function parseMachineBusyTicks(stat: string): number {
  const line = stat.split('\n', 1)[0] ?? '';
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (line.split(/\s+/)[0] !== 'cpu' || fields.length < 8 || fields.some((f) => !Number.isFinite(f))) {
    throw new Error(`unexpected /proc/stat format: ${line.slice(0, 120)}`);
  }
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return user + nice + system + irq + softirq + steal;
}

/** CPU seconds all processes of this machine have used so far (summed over CPUs). */
export function machineBusySeconds(): number {
  return parseMachineBusyTicks(readFileSync('/proc/stat', 'utf8')) / ticksPerSecond();
}

/**
 * CPU used between start and end by named processes, this one (`bench`), and everything else on
 * the machine (`others`: the noise the same-run ratios are there to absorb).
 */
export interface CpuWindow {
  end(): { seconds: number; cpu: Record<string, number> };
}

/** Starts measuring wall time and CPU; read it with end(). */
export function cpuWindow(pids: Record<string, number>): CpuWindow {
  const startedMs = performance.now();
  const all = { ...pids, bench: process.pid };
  const machine = machineBusySeconds();
  const before = Object.entries(all).map(([name, pid]) => ({ name, pid, cpu: cpuSeconds(pid) }));
  return {
    end: () => {
      const cpu: Record<string, number> = {};
      let ours = 0;
      for (const b of before) {
        cpu[b.name] = cpuSeconds(b.pid) - b.cpu;
        ours += cpu[b.name] ?? 0;
      }
      cpu.others = Math.max(0, machineBusySeconds() - machine - ours);
      return { seconds: (performance.now() - startedMs) / 1000, cpu };
    },
  };
}

/** utime + stime + cutime + cstime in clock ticks: a process and the children it has reaped. */
export function parseStatTicksWithReaped(stat: string): number {
  return sumStatFields(stat, [14, 15, 16, 17]);
}

/** Children of `pid` now alive (every thread's, from /proc/<pid>/task/<tid>/children). */
function liveChildren(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')
        .split(' ')
        .filter((s) => s.trim() !== '')
        .map(Number),
    );
  } catch {
    return []; // gone meanwhile: its time is in its parent's reaped figures once reaped
  }
}

/**
 * CPU seconds of a process tree so far: the process, what it has reaped, and its live
 * descendants (a long-lived child such as an agent group's `ip -batch` is reaped only at its
 * end). A difference of two readings is the tree's CPU in between, children born and gone
 * in between included.
 */
export function treeCpuSeconds(pid: number): number {
  let ticks: number;
  try {
    ticks = parseStatTicksWithReaped(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return 0;
  }
  return ticks / ticksPerSecond() + liveChildren(pid).reduce((s, c) => s + treeCpuSeconds(c), 0);
}
