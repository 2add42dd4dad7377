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

/** `pids()` is asked at every sample: a process may come (Prometheus starts with the testbed). */
export function startCpuSampler(
  pids: () => Record<string, number | undefined>,
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
    for (const [name, pid] of Object.entries(pids())) {
      if (pid === undefined) continue;
      if (pid === process.pid) {
        const u = process.cpuUsage();
        push(name, Date.now(), (u.user + u.system) / 1e6);
        continue;
      }
      const stat = await readProcStat(pid);
      if (stat !== undefined) push(name, Date.now(), (stat.utimeTicks + stat.stimeTicks) / ticks);
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
