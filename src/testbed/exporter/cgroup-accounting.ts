/**
 * CPU and memory per testbed process, the way cAdvisor sees a container: where cgroup v1
 * `cpuacct` and `memory` hierarchies can be written, each node process gets its own cgroup,
 * `<own cgroup>/kos-test/<testbedId>/<processName>`, in both, and its figures are the cgroup's
 * (`cpuacct.usage`; `memory.usage_in_bytes` minus `total_inactive_file`; `total_rss`),
 * descendants included. Elsewhere (cgroup v2 without those controllers, no permission) it is
 * "proc" mode: /proc accounting of the process and its descendants (process-stats.ts).
 *
 * Place a process as soon as it is spawned: a v1 memory cgroup only counts pages charged after
 * the move (moving old charges, `memory.move_charge_at_immigrate`, is refused by kernels since
 * 6.x), and cpuacct only counts CPU from then on. A process never placed is read from /proc.
 */
import { mkdir, readFile, readdir, rmdir, stat, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KosTestError, toError } from '../../util/errors.js';
import {
  cgroupMemory,
  isSafeCgroupName,
  parseFlatKeyed,
  parseMountInfo,
  parseProcCgroup,
  parseSingleNumber,
  v1CgroupDir,
  v1CgroupPath,
} from './cgroup-files.js';
import { readProcessTree } from './process-stats.js';

export type AccountingMode = 'cgroup-v1' | 'proc';

export interface ResourceReading {
  cpuSeconds: number;
  workingSetBytes: number;
  rssBytes: number;
  source: AccountingMode;
  /**
   * Changes exactly when cpuSeconds starts again from zero: the cgroup's name in cgroup mode
   * (it outlives restarts), the process (pid and start time) in proc mode.
   */
  epoch: string;
}

export interface ResourceAccounting {
  readonly mode: AccountingMode;
  /** Why this is proc mode, when it is. */
  readonly fallbackReason: string | undefined;
  /** This testbed's parent cgroups (`.../kos-test/<testbedId>`), one per hierarchy; none in proc mode. */
  readonly cgroupDirs: readonly string[];
  /** Puts a process (and its future children) in its own cgroup; false in proc mode or on failure. */
  place(processName: string, pid: number): Promise<boolean>;
  /** The process's figures; undefined when it does not exist. */
  read(processName: string, pid: number): Promise<ResourceReading | undefined>;
  /**
   * Removes every cgroup this testbed made (after its processes exit; any still inside are
   * moved back first). Returns the directories that could not be removed (none normally).
   */
  remove(): Promise<string[]>;
}

export interface CgroupAccountingOptions {
  /** 'proc' skips cgroups even where they work. @default 'auto' */
  mode?: 'auto' | 'proc';
  /** @default '/proc' */
  procRoot?: string;
}

const PARENT = 'kos-test';

interface Hierarchy {
  controller: 'cpuacct' | 'memory';
  /** Our own cgroup's directory, where leftovers go back to. */
  ownDir: string;
  /** Our own cgroup's path inside the hierarchy, as /proc/<pid>/cgroup shows it. */
  ownPath: string;
  /** `<ownDir>/kos-test/<testbedId>` */
  baseDir: string;
}

export async function createCgroupAccounting(
  testbedId: string,
  opts: CgroupAccountingOptions = {},
): Promise<ResourceAccounting> {
  checkName('testbed id', testbedId);
  const procRoot = opts.procRoot ?? '/proc';
  if (opts.mode === 'proc') return procAccounting(procRoot, 'proc mode was asked for');
  const found = await findHierarchies(testbedId);
  if (typeof found === 'string') return procAccounting(procRoot, found);
  return new CgroupV1Accounting(testbedId, found, procRoot);
}

function procAccounting(procRoot: string, reason: string): ResourceAccounting {
  return {
    mode: 'proc',
    fallbackReason: reason,
    cgroupDirs: [],
    place: () => Promise.resolve(false),
    read: (_name, pid) => readProc(pid, procRoot),
    remove: () => Promise.resolve([]),
  };
}

async function readProc(pid: number, procRoot: string): Promise<ResourceReading | undefined> {
  const r = await readProcessTree(pid, { procRoot });
  if (r === undefined) return undefined;
  return {
    cpuSeconds: r.cpuSeconds,
    workingSetBytes: r.workingSetBytes,
    rssBytes: r.rssBytes,
    source: 'proc',
    epoch: `proc:${pid}:${r.startTimeTicks}`,
  };
}

/** Both hierarchies with our base directories made and usable, or why not. */
async function findHierarchies(testbedId: string): Promise<Hierarchy[] | string> {
  let mounts, cgroups;
  try {
    mounts = parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8'));
    cgroups = parseProcCgroup(await readFile('/proc/self/cgroup', 'utf8'));
  } catch (e: unknown) {
    return `cannot read /proc/self/mountinfo or /proc/self/cgroup (${toError(e).message})`;
  }
  const hierarchies: Hierarchy[] = [];
  for (const controller of ['cpuacct', 'memory'] as const) {
    const ownDir = v1CgroupDir(mounts, cgroups, controller);
    const ownPath = v1CgroupPath(cgroups, controller);
    if (ownDir === undefined || ownPath === undefined) return `no cgroup v1 ${controller} hierarchy`;
    hierarchies.push({ controller, ownDir, ownPath, baseDir: join(ownDir, PARENT, testbedId) });
  }
  const probe: Record<Hierarchy['controller'], string> = {
    cpuacct: 'cpuacct.usage',
    memory: 'memory.usage_in_bytes',
  };
  for (const h of hierarchies) {
    try {
      await mkdir(h.baseDir, { recursive: true });
      await stat(join(h.baseDir, probe[h.controller]));
    } catch (e: unknown) {
      await removeBases(hierarchies);
      return `cannot make cgroup ${h.baseDir} (${toError(e).message})`;
    }
  }
  return hierarchies;
}

class CgroupV1Accounting implements ResourceAccounting {
  readonly mode = 'cgroup-v1';
  readonly fallbackReason = undefined;
  readonly cgroupDirs: readonly string[];
  private removed = false;

  constructor(
    private readonly testbedId: string,
    private readonly hierarchies: readonly Hierarchy[],
    private readonly procRoot: string,
  ) {
    this.cgroupDirs = [...new Set(hierarchies.map((h) => h.baseDir))];
  }

  async place(processName: string, pid: number): Promise<boolean> {
    checkName('process name', processName);
    if (this.removed) return false;
    try {
      for (const h of this.hierarchies) {
        const dir = join(h.baseDir, processName);
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, 'cgroup.procs'), String(pid));
      }
      return true;
    } catch {
      // Gone already, or not ours to move: read() falls back to /proc for it.
      return false;
    }
  }

  async read(processName: string, pid: number): Promise<ResourceReading | undefined> {
    checkName('process name', processName);
    const text = await readFile(join(this.procRoot, String(pid), 'cgroup'), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    const where = parseProcCgroup(text);
    const placed = this.hierarchies.every(
      (h) => v1CgroupPath(where, h.controller) === posix.join(h.ownPath, PARENT, this.testbedId, processName),
    );
    if (!placed) return readProc(pid, this.procRoot);
    try {
      return await this.readCgroup(processName);
    } catch {
      return readProc(pid, this.procRoot);
    }
  }

  private async readCgroup(processName: string): Promise<ResourceReading> {
    const dirOf = (c: Hierarchy['controller']): string =>
      join(this.hierarchies.find((h) => h.controller === c)?.baseDir ?? '', processName);
    const [usage, memUsage, memStat] = await Promise.all([
      readFile(join(dirOf('cpuacct'), 'cpuacct.usage'), 'utf8'),
      readFile(join(dirOf('memory'), 'memory.usage_in_bytes'), 'utf8'),
      readFile(join(dirOf('memory'), 'memory.stat'), 'utf8'),
    ]);
    const cpuNs = parseSingleNumber(usage);
    const memBytes = parseSingleNumber(memUsage);
    if (cpuNs === undefined || memBytes === undefined) throw new Error('unreadable cgroup counters');
    return {
      cpuSeconds: cpuNs / 1e9,
      ...cgroupMemory(memBytes, parseFlatKeyed(memStat)),
      source: 'cgroup-v1',
      epoch: `cgroup:${processName}`,
    };
  }

  async remove(): Promise<string[]> {
    this.removed = true;
    const left: string[] = [];
    for (const h of this.hierarchies) {
      const entries = await readdir(h.baseDir, { withFileTypes: true }).catch(() => []);
      for (const e of entries.filter((d) => d.isDirectory())) {
        const dir = join(h.baseDir, e.name);
        await moveBack(dir, h.ownDir);
        if (!(await removeDir(dir))) left.push(dir);
      }
    }
    await removeBases(this.hierarchies);
    for (const h of this.hierarchies) if (await exists(h.baseDir)) left.push(h.baseDir);
    return left;
  }
}

/** Moves whatever still runs in `dir` back to our own cgroup, so that `dir` can go. */
async function moveBack(dir: string, ownDir: string): Promise<void> {
  const text = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
  for (const pid of text.split('\n').filter((l) => /^\d+$/.test(l))) {
    await writeFile(join(ownDir, 'cgroup.procs'), pid).catch(() => undefined);
  }
}

/** rmdir, retried while the kernel still finishes off exited tasks; true once gone. */
async function removeDir(dir: string): Promise<boolean> {
  for (let attempt = 0; attempt < 40; attempt++) {
    try {
      await rmdir(dir);
      return true;
    } catch (e: unknown) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return true;
      if (code !== 'EBUSY') return false;
      await sleep(50);
    }
  }
  return false;
}

/** Removes `<own>/kos-test/<id>`, and `<own>/kos-test` when no other testbed uses it. */
async function removeBases(hierarchies: readonly Hierarchy[]): Promise<void> {
  for (const h of hierarchies) {
    await removeDir(h.baseDir);
    await rmdir(join(h.baseDir, '..')).catch(() => undefined);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function checkName(what: string, name: string): void {
  if (!isSafeCgroupName(name)) {
    throw new KosTestError({
      what: `bad ${what} for a cgroup`,
      value: name,
      fix: 'use letters, digits, dots, dashes and underscores (at most 100)',
    });
  }
}
