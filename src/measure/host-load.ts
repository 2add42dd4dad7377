/**
 * How busy the host was over a window, from samples of /proc/stat and /proc/pressure/cpu (pure:
 * parsers and the window arithmetic; the sampler that reads the files is host-sampler.ts).
 */
import { z } from 'zod';

/** One reading of the host's cumulative CPU counters (proc(5), PSI). */
export interface HostSample {
  atMs: number;
  /** Cumulative ticks of all CPUs: busy (user, nice, system, irq, softirq), idle (+ iowait), steal. */
  busyTicks: number;
  idleTicks: number;
  stealTicks: number;
  /** Tasks runnable right now (procs_running, the reader itself included). */
  procsRunning: number;
  cpus: number;
  /** Cumulative microseconds in which some task waited for a CPU; null without PSI. */
  pressureSomeUs: number | null;
}

export const hostLoadSchema = z.object({
  /** The window the figures cover (the samples nearest the cruise window). */
  fromMs: z.number(),
  toMs: z.number(),
  samples: z.number().int().nonnegative(),
  cpus: z.number().int().positive(),
  /** Fractions of all CPU time over the window, 0..1. */
  busyFraction: z.number().nonnegative(),
  stealFraction: z.number().nonnegative(),
  /** Mean runnable tasks per CPU over the samples. */
  runQueuePerCpu: z.number().nonnegative(),
  /** Fraction of the window in which some task waited for a CPU (PSI "some"); null without PSI. */
  pressureSomeFraction: z.number().nonnegative().nullable(),
});
export type HostLoad = z.infer<typeof hostLoadSchema>;

/** The system-wide part of /proc/stat, or undefined when the text is not one. */
export function parseSystemStat(
  text: string,
): Pick<HostSample, 'busyTicks' | 'idleTicks' | 'stealTicks' | 'procsRunning' | 'cpus'> | undefined {
  const lines = text.split('\n');
  const cpu = lines.find((l) => l.startsWith('cpu '));
  const running = lines.find((l) => l.startsWith('procs_running '));
  if (cpu === undefined || running === undefined) return undefined;
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice).
  const f = cpu.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
  if (steal === undefined || !f.every(Number.isFinite)) return undefined;
  const procsRunning = Number(running.split(/\s+/)[1]);
  const cpus = lines.filter((l) => /^cpu\d+ /.test(l)).length;
  if (!Number.isFinite(procsRunning) || cpus === 0) return undefined;
  return {
    busyTicks: (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0),
    idleTicks: (idle ?? 0) + (iowait ?? 0),
    stealTicks: steal,
    procsRunning,
    cpus,
  };
}

/** The "some" total (microseconds) of /proc/pressure/cpu, or null when absent or unreadable. */
export function parseCpuPressure(text: string | null): number | null {
  const m = text === null ? null : /^some .*\btotal=(\d+)/m.exec(text);
  return m?.[1] === undefined ? null : Number(m[1]);
}

/**
 * The host's load over [fromMs, toMs]: counters differenced between the first and last samples
 * inside the window, or, when fewer than two fall inside (a short cruise), the samples just
 * around it. Null when no two samples span any of it.
 */
export function hostLoadOver(samples: readonly HostSample[], fromMs: number, toMs: number): HostLoad | null {
  const sorted = [...samples].sort((a, b) => a.atMs - b.atMs);
  let used = sorted.filter((s) => s.atMs >= fromMs && s.atMs <= toMs);
  if (used.length < 2) {
    const before = sorted.filter((s) => s.atMs <= fromMs).at(-1);
    const after = sorted.find((s) => s.atMs >= toMs);
    used = sorted.filter((s) => s.atMs >= (before?.atMs ?? fromMs) && s.atMs <= (after?.atMs ?? toMs));
  }
  const first = used[0];
  const last = used.at(-1);
  if (first === undefined || last === undefined || last.atMs <= first.atMs) return null;
  const busy = last.busyTicks - first.busyTicks;
  const idle = last.idleTicks - first.idleTicks;
  const steal = last.stealTicks - first.stealTicks;
  const total = busy + idle + steal;
  if (total <= 0) return null;
  const pressure =
    first.pressureSomeUs === null || last.pressureSomeUs === null
      ? null
      : (last.pressureSomeUs - first.pressureSomeUs) / ((last.atMs - first.atMs) * 1000);
  return {
    fromMs: first.atMs,
    toMs: last.atMs,
    samples: used.length,
    cpus: last.cpus,
    busyFraction: busy / total,
    stealFraction: steal / total,
    runQueuePerCpu: used.reduce((a, s) => a + s.procsRunning / s.cpus, 0) / used.length,
    pressureSomeFraction: pressure === null ? null : Math.min(1, Math.max(0, pressure)),
  };
}
