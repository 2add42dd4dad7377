/**
 * CPU and memory of a process and its descendants from /proc: the exporter's "proc" mode, and
 * the kernel accounting its figures are checked against. Parsing is in proc-parse.ts; this is
 * the reading. Descendants come from `/proc/<pid>/task/<tid>/children` where the kernel has it,
 * else from a scan of every /proc/<pid>/stat.
 */
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  costMemory,
  descendantsOf,
  parseChildren,
  parseClockTicks,
  parseProcMemory,
  parseProcStat,
  treeCpuTicks,
  type ProcStat,
} from './proc-parse.js';

export interface ProcessTreeReading {
  pid: number;
  /** The root's start time (clock ticks after boot): tells a reused pid apart. */
  startTimeTicks: number;
  /** The root first, then its descendants. */
  pids: number[];
  cpuSeconds: number;
  /** See costMemory in proc-parse.ts for what these two mean. */
  rssBytes: number;
  workingSetBytes: number;
}

export interface ProcOptions {
  /** @default '/proc' */
  procRoot?: string;
  /** @default true */
  includeDescendants?: boolean;
}

/** Linux's usual USER_HZ, used when getconf is missing. */
const DEFAULT_CLOCK_TICKS = 100;
let clockTicks: Promise<number> | undefined;

/** CLK_TCK from `getconf CLK_TCK`, once per process. */
export function clockTicksPerSecond(): Promise<number> {
  clockTicks ??= promisify(execFile)('getconf', ['CLK_TCK'], { timeout: 5000 }).then(
    ({ stdout }) => parseClockTicks(stdout) ?? DEFAULT_CLOCK_TICKS,
    () => DEFAULT_CLOCK_TICKS,
  );
  return clockTicks;
}

/** The process's `/proc/<pid>/stat`, or undefined when it does not exist (any more). */
export async function readProcStat(pid: number, procRoot = '/proc'): Promise<ProcStat | undefined> {
  const text = await readOptional(join(procRoot, String(pid), 'stat'));
  return text === undefined ? undefined : parseProcStat(text);
}

/** CPU and memory of a process and (by default) its descendants; undefined when it is gone. */
export async function readProcessTree(
  pid: number,
  opts: ProcOptions = {},
): Promise<ProcessTreeReading | undefined> {
  const procRoot = opts.procRoot ?? '/proc';
  const root = await readProcStat(pid, procRoot);
  if (root === undefined) return undefined;
  const pids = opts.includeDescendants === false ? [pid] : await descendants(pid, procRoot);
  const [ticks, stats] = await Promise.all([
    clockTicksPerSecond(),
    Promise.all(pids.slice(1).map((p) => readProcStat(p, procRoot))),
  ]);
  const members = [root, ...stats.filter((s): s is ProcStat => s !== undefined)];
  const memory = await Promise.all(members.map((s) => readMemory(s.pid, procRoot)));
  return {
    pid,
    startTimeTicks: root.startTimeTicks,
    pids: members.map((s) => s.pid),
    cpuSeconds: treeCpuTicks(members) / ticks,
    rssBytes: memory.reduce((t, m) => t + m.rssBytes, 0),
    workingSetBytes: memory.reduce((t, m) => t + m.workingSetBytes, 0),
  };
}

async function readMemory(
  pid: number,
  procRoot: string,
): Promise<{ rssBytes: number; workingSetBytes: number }> {
  const dir = join(procRoot, String(pid));
  const [status, rollup] = await Promise.all([
    readOptional(join(dir, 'status')),
    readOptional(join(dir, 'smaps_rollup')),
  ]);
  return status === undefined
    ? { rssBytes: 0, workingSetBytes: 0 }
    : costMemory(parseProcMemory(status, rollup));
}

let childrenFiles: Promise<boolean> | undefined;

/** Whether this kernel has /proc/<pid>/task/<tid>/children (CONFIG_PROC_CHILDREN). */
function hasChildrenFiles(procRoot: string): Promise<boolean> {
  if (procRoot !== '/proc') return Promise.resolve(false);
  childrenFiles ??= readOptional(`/proc/${process.pid}/task/${process.pid}/children`).then(
    (t) => t !== undefined,
  );
  return childrenFiles;
}

async function descendants(pid: number, procRoot: string): Promise<number[]> {
  if (!(await hasChildrenFiles(procRoot))) return descendantsOf(pid, await scanProcStats(procRoot));
  const order = [pid];
  for (let i = 0; i < order.length; i++) {
    for (const child of await childrenOf(order[i] ?? -1, procRoot)) {
      if (!order.includes(child)) order.push(child);
    }
  }
  return order;
}

async function childrenOf(pid: number, procRoot: string): Promise<number[]> {
  const taskDir = join(procRoot, String(pid), 'task');
  const tids = await readdir(taskDir).catch(() => []);
  const texts = await Promise.all(tids.map((tid) => readOptional(join(taskDir, tid, 'children'))));
  return texts.flatMap((t) => (t === undefined ? [] : parseChildren(t)));
}

async function scanProcStats(procRoot: string): Promise<ProcStat[]> {
  const entries = await readdir(procRoot).catch(() => []);
  const stats = await Promise.all(
    entries.filter((e) => /^\d+$/.test(e)).map((e) => readProcStat(Number(e), procRoot)),
  );
  return stats.filter((s): s is ProcStat => s !== undefined);
}

/** A /proc file's text, or undefined when it (or its process) does not exist or cannot be read. */
async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}
