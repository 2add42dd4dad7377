/**
 * Pure parsers of the /proc files the exporter reads in proc mode (see proc(5)), and the one
 * place that decides what a process's "working set" is when there is no cgroup to ask.
 */

export interface ProcStat {
  pid: number;
  /** The command name, which may itself contain spaces and parentheses. */
  comm: string;
  state: string;
  ppid: number;
  /** CPU time in clock ticks (CLK_TCK per second): user, system, and waited-for children's. */
  utimeTicks: number;
  stimeTicks: number;
  cutimeTicks: number;
  cstimeTicks: number;
  /** Ticks after boot when the process started: with the pid, identifies one process. */
  startTimeTicks: number;
}

/** Parses `/proc/<pid>/stat`; undefined when it is not one. */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // Fields 3.. of proc(5), after the command name: rest[0] is field 3 (state).
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const field = (n: number): number => Number(rest[n - 3]);
  const stat: ProcStat = {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '',
    ppid: field(4),
    utimeTicks: field(14),
    stimeTicks: field(15),
    cutimeTicks: field(16),
    cstimeTicks: field(17),
    startTimeTicks: field(22),
  };
  const numbers = [pid, stat.ppid, stat.utimeTicks, stat.stimeTicks, stat.cutimeTicks, stat.cstimeTicks];
  if (!numbers.every(Number.isInteger) || !Number.isFinite(stat.startTimeTicks)) return undefined;
  return stat;
}

/**
 * CPU ticks of a process tree: each live member's own time plus the time of the children it
 * has waited for, which the kernel adds to the parent when it reaps them. So a child that exits
 * inside the tree keeps counting, and nothing is counted twice.
 */
export function treeCpuTicks(stats: readonly ProcStat[]): number {
  return stats.reduce((t, s) => t + s.utimeTicks + s.stimeTicks + s.cutimeTicks + s.cstimeTicks, 0);
}

/** The `Key:   123 kB` lines of /proc/<pid>/status and smaps_rollup, as bytes (kB = 1024). */
export function parseKbFields(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+)\s+kB\s*$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out.set(m[1], Number(m[2]) * 1024);
  }
  return out;
}

export interface ProcMemory {
  /** VmRSS: every resident page mapped, also shared file pages (the node binary). */
  residentBytes: number;
  /** RssAnon: anonymous resident memory (heap, stacks). */
  anonBytes: number;
  /** RssShmem: resident shared memory. */
  shmemBytes: number;
  /** Pss from smaps_rollup, when readable: resident pages with shared ones split among sharers. */
  pssBytes: number | undefined;
}

/**
 * Memory of one process from its status text and, when available, its smaps_rollup text.
 * Kernels before 4.5 have no RssAnon: then all of VmRSS counts as anonymous.
 */
export function parseProcMemory(statusText: string, smapsRollupText: string | undefined): ProcMemory {
  const status = parseKbFields(statusText);
  const resident = status.get('VmRSS') ?? 0;
  const pss = smapsRollupText === undefined ? undefined : parseKbFields(smapsRollupText).get('Pss');
  return {
    residentBytes: resident,
    anonBytes: status.get('RssAnon') ?? resident,
    shmemBytes: status.get('RssShmem') ?? 0,
    pssBytes: pss,
  };
}

/**
 * cAdvisor's figures for a cgroup, approximated for processes:
 * - rss (`container_memory_rss`, the cgroup's `total_rss`: anonymous memory) = RssAnon;
 * - working set (cgroup usage minus inactive file cache) = Pss. Pss counts every resident page
 *   the process maps, its own file pages too (etcd's mmapped database), and splits shared pages
 *   (the node binary, mapped by every node process) among the processes sharing them, so it
 *   adds up across processes as cgroup charges do. Unmapped page cache (files written, like
 *   etcd's WAL) is not seen; a cgroup would count its active part. Without smaps_rollup
 *   (kernels before 4.14): RssAnon + RssShmem, the private part that cannot be dropped.
 */
export function costMemory(m: ProcMemory): { rssBytes: number; workingSetBytes: number } {
  return { rssBytes: m.anonBytes, workingSetBytes: m.pssBytes ?? m.anonBytes + m.shmemBytes };
}

/** The pids in a `/proc/<pid>/task/<tid>/children` file. */
export function parseChildren(text: string): number[] {
  return text
    .trim()
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

/** `getconf CLK_TCK` output; undefined unless a positive integer. */
export function parseClockTicks(text: string): number | undefined {
  const n = Number(text.trim());
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The root and every process below it in the ppid relation, root first (breadth first). */
export function descendantsOf(root: number, stats: Iterable<ProcStat>): number[] {
  const children = new Map<number, number[]>();
  for (const s of stats) {
    if (s.pid === root) continue;
    const list = children.get(s.ppid);
    if (list === undefined) children.set(s.ppid, [s.pid]);
    else list.push(s.pid);
  }
  const order = [root];
  for (let i = 0; i < order.length; i++) {
    for (const c of children.get(order[i] ?? -1) ?? []) if (!order.includes(c)) order.push(c);
  }
  return order;
}
