/**
 * Pure parsers for cgroup v1 accounting: where a controller's hierarchy is mounted and where
 * this process sits in it (from /proc/self/mountinfo and /proc/<pid>/cgroup), and the figures
 * cAdvisor takes from a v1 memory cgroup.
 */
import { posix } from 'node:path';

export interface CgroupMount {
  /** The path inside the hierarchy that is mounted (`/` unless a container shows a subtree). */
  root: string;
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

/** The mounts in a /proc/<pid>/mountinfo text (see proc(5)); malformed lines are skipped. */
export function parseMountInfo(text: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (left === undefined || right === undefined) continue;
    const l = left.split(' ');
    const r = right.split(' ');
    const root = l[3];
    const mountPoint = l[4];
    const fsType = r[0];
    if (root === undefined || mountPoint === undefined || fsType === undefined) continue;
    mounts.push({
      root: unescapeMountField(root),
      mountPoint: unescapeMountField(mountPoint),
      fsType,
      superOptions: (r[2] ?? '').split(','),
    });
  }
  return mounts;
}

/** mountinfo writes space, tab, newline and backslash as octal escapes (`\040`). */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export interface ProcCgroup {
  /** Hierarchy id; 0 for the cgroup v2 unified hierarchy. */
  id: number;
  /** Controllers bound to the hierarchy, e.g. ['cpu', 'cpuacct'] or ['name=systemd']. */
  controllers: string[];
  path: string;
}

/** A /proc/<pid>/cgroup text: `id:controllers:path` lines. */
export function parseProcCgroup(text: string): ProcCgroup[] {
  const out: ProcCgroup[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (m?.[1] === undefined || m[2] === undefined || m[3] === undefined) continue;
    out.push({ id: Number(m[1]), controllers: m[2] === '' ? [] : m[2].split(','), path: m[3] });
  }
  return out;
}

/** The cgroup path of a v1 controller (e.g. 'cpuacct'), or undefined when not bound in v1. */
export function v1CgroupPath(cgroups: readonly ProcCgroup[], controller: string): string | undefined {
  return cgroups.find((c) => c.id !== 0 && c.controllers.includes(controller))?.path;
}

/**
 * The directory of a process's own cgroup in the v1 hierarchy of `controller` (e.g.
 * `/sys/fs/cgroup/memory/process_api/abc`), or undefined when that controller has no v1 mount
 * that shows the process's cgroup.
 */
export function v1CgroupDir(
  mounts: readonly CgroupMount[],
  cgroups: readonly ProcCgroup[],
  controller: string,
): string | undefined {
  const path = v1CgroupPath(cgroups, controller);
  if (path === undefined) return undefined;
  for (const m of mounts) {
    if (m.fsType !== 'cgroup' || !m.superOptions.includes(controller)) continue;
    const relative = relativeTo(m.root, path);
    if (relative !== undefined) return relative === '/' ? m.mountPoint : posix.join(m.mountPoint, relative);
  }
  return undefined;
}

function relativeTo(root: string, path: string): string | undefined {
  if (root === '/') return path;
  if (path === root) return '/';
  return path.startsWith(`${root}/`) ? path.slice(root.length) : undefined;
}

/** A v1 `memory.stat` (or any `key value` file) as numbers. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value, extra] = line.trim().split(/\s+/);
    if (key === undefined || value === undefined || extra !== undefined) continue;
    const n = Number(value);
    if (key !== '' && Number.isFinite(n)) out.set(key, n);
  }
  return out;
}

/** A single-number cgroup file (`cpuacct.usage`, `memory.usage_in_bytes`). */
export function parseSingleNumber(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return undefined;
  return Number(t);
}

/**
 * cAdvisor's v1 memory figures: working set = usage - total_inactive_file (0 when that is
 * negative), rss = total_rss (anonymous memory and swap cache).
 */
export function cgroupMemory(
  usageBytes: number,
  stat: ReadonlyMap<string, number>,
): { workingSetBytes: number; rssBytes: number } {
  const inactiveFile = stat.get('total_inactive_file') ?? stat.get('inactive_file') ?? 0;
  return {
    workingSetBytes: Math.max(0, usageBytes - inactiveFile),
    rssBytes: stat.get('total_rss') ?? stat.get('rss') ?? 0,
  };
}

/** Names we create cgroups and files under: one path segment, nothing a shell or path reads specially. */
export function isSafeCgroupName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name);
}
