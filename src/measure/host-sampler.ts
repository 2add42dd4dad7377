/**
 * Samples the host's CPU counters (/proc/stat, /proc/pressure/cpu) while a run drives; host-load.ts
 * judges the samples. The run queue is an instantaneous count, so the samples are taken at Poisson
 * times (exponential gaps): a fixed period beats against the testbed's own 1 s scrape, and its
 * samples then all land in the burst of every scrape, or all between them (PASTA: Poisson arrivals
 * see time averages). The reader, clock, timer and random source are passed in for tests.
 */
import { readFileSync } from 'node:fs';
import { parseCpuPressure, parseSystemStat, type HostSample } from './host-load.js';

export interface HostSamplerDeps {
  /** The file's text, or null when it does not exist (no PSI, not Linux). */
  read: (path: string) => Promise<string | null>;
  now: () => number;
  /** Calls fn once after ms milliseconds unless the returned function is called first. */
  after: (ms: number, fn: () => void) => () => void;
  /** Uniform in [0, 1). */
  random: () => number;
}

export interface HostSampling {
  /** Stops sampling (after one last sample) and returns every sample taken, oldest first; idempotent. */
  stop: () => Promise<HostSample[]>;
}

/**
 * Read synchronously, on the event loop's thread: procs_running counts the reader, and an async
 * read would add the thread-pool threads reading each file (1-3 tasks instead of 1). A read of
 * /proc/stat takes tens of microseconds.
 */
function readOrNull(path: string): Promise<string | null> {
  try {
    return Promise.resolve(readFileSync(path, 'utf8'));
  } catch {
    return Promise.resolve(null);
  }
}

export const REAL_HOST: HostSamplerDeps = {
  read: readOrNull,
  now: Date.now,
  after: (ms, fn) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return () => {
      clearTimeout(t);
    };
  },
  random: Math.random,
};

/** One sample, or undefined when /proc/stat cannot be read (not Linux). */
export async function sampleHost(
  deps: Pick<HostSamplerDeps, 'read' | 'now'>,
): Promise<HostSample | undefined> {
  const atMs = deps.now();
  const [stat, pressure] = await Promise.all([deps.read('/proc/stat'), deps.read('/proc/pressure/cpu')]);
  const s = stat === null ? undefined : parseSystemStat(stat);
  return s === undefined ? undefined : { atMs, ...s, pressureSomeUs: parseCpuPressure(pressure) };
}

/** Samples at Poisson times `meanIntervalMs` apart on average, from now until stop(). */
export function startHostSampling(meanIntervalMs = 250, deps: HostSamplerDeps = REAL_HOST): HostSampling {
  const samples: HostSample[] = [];
  const pending = new Set<Promise<void>>();
  const take = (): void => {
    const p = sampleHost(deps).then((s) => {
      if (s !== undefined) samples.push(s);
    });
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  let cancel = (): void => undefined;
  const next = (): void => {
    cancel = deps.after(-meanIntervalMs * Math.log(1 - deps.random()), () => {
      take();
      next();
    });
  };
  take();
  next();
  let stopped: Promise<HostSample[]> | undefined;
  const stop = async (): Promise<HostSample[]> => {
    cancel();
    take();
    await Promise.all([...pending]);
    return samples.sort((a, b) => a.atMs - b.atMs);
  };
  return { stop: () => (stopped ??= stop()) };
}
