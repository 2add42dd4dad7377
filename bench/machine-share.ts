/**
 * How busy the whole machine was during a benchmark, and how much CPU the hypervisor took away
 * (steal), from the first line of /proc/stat. A same-run ratio cancels a steady load; it cannot
 * cancel a burst of steal on a shared host, so every result says how much there was.
 */
import { readFileSync } from 'node:fs';

/** Jiffies of the aggregate `cpu` line: all of them, idle (idle + iowait), and steal. */
export interface CpuJiffies {
  total: number;
  idle: number;
  steal: number;
}

export function parseProcStatCpu(text: string): CpuJiffies {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) throw new Error('no aggregate cpu line in /proc/stat');
  // user nice system idle iowait irq softirq steal [guest guest_nice: already inside user/nice]
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (f.length < 8 || f.some((v) => !Number.isFinite(v)))
    throw new Error(`unexpected /proc/stat cpu line: ${line}`);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return { total: user + nice + system + idle + iowait + irq + softirq + steal, idle: idle + iowait, steal };
}

export interface MachineShare {
  /** Percent of all CPUs' time that was not idle (steal included). */
  busyPct: number;
  /** Percent of all CPUs' time the hypervisor gave to someone else. */
  stealPct: number;
}

export function machineShare(before: CpuJiffies, after: CpuJiffies): MachineShare {
  const total = after.total - before.total;
  if (total <= 0) return { busyPct: 0, stealPct: 0 };
  return {
    busyPct: (100 * (total - (after.idle - before.idle))) / total,
    stealPct: (100 * (after.steal - before.steal)) / total,
  };
}

/** undefined where there is no /proc (not Linux). */
export function readCpuJiffies(): CpuJiffies | undefined {
  try {
    return parseProcStatCpu(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}
