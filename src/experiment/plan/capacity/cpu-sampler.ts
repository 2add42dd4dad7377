/**
 * CPU seconds of a few processes sampled every interval (this one from process.cpuUsage, others
 * from /proc), so their cores over any past window come out the way the cost table's do: the
 * counter's increase integrated over the window (window-math.ts).
 */
import { counterWindow, type Sample } from '../../../costs/window-math.js';
import { clockTicksPerSecond, readProcStat } from '../../../testbed/exporter/process-stats.js';

export interface CpuSampler {
  /** Takes a sample now (e.g. right after a window ends). */
  sample(): Promise<void>;
  /** Average cores of `name` over [fromMs, toMs]; undefined without samples around it. */
  cores(name: string, fromMs: number, toMs: number): number | undefined;
  stop(): void;
}

/**
 * `pids()` is asked at every sample: a process may come (Prometheus starts with the testbed). A
 * name with several PIDs is their sum, sampled only while there is one (the drive's processes).
 */
export function startCpuSampler(
  pids: () => Record<string, number | readonly number[] | undefined>,
  intervalMs = 500,
): CpuSampler {
  const series = new Map<string, Sample[]>();
  const push = (name: string, t: number, v: number): void => {
    const s = series.get(name) ?? [];
    s.push({ t, v });
    series.set(name, s);
  };
  const sample = async (): Promise<void> => {
    const ticks = await clockTicksPerSecond();
    const cpuS = async (pid: number): Promise<number | undefined> => {
      if (pid === process.pid) {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1e6;
      }
      const stat = await readProcStat(pid);
      return stat === undefined ? undefined : (stat.utimeTicks + stat.stimeTicks) / ticks;
    };
    for (const [name, given] of Object.entries(pids())) {
      const list = given === undefined ? [] : typeof given === 'number' ? [given] : given;
      const each = (await Promise.all(list.map(cpuS))).filter((s) => s !== undefined);
      // A name is sampled only when every one of its processes could be read.
      if (list.length === 0 || each.length < list.length) continue;
      push(
        name,
        Date.now(),
        each.reduce((a, s) => a + s, 0),
      );
    }
  };
  const timer = setInterval(() => void sample(), intervalMs);
  timer.unref();
  return {
    sample,
    cores: (name, fromMs, toMs) => {
      const w = counterWindow(series.get(name) ?? [], fromMs, toMs);
      return w === undefined || w.coveredMs <= 0 ? undefined : w.increase / (w.coveredMs / 1000);
    },
    stop: () => {
      clearInterval(timer);
    },
  };
}
