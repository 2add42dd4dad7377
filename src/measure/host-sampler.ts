/**
 * Samples the host's CPU counters (/proc/stat, /proc/pressure/cpu) every second while a run
 * drives; host-load.ts judges the samples. The reader, clock and timer are passed in for tests.
 */
import { readFile } from 'node:fs/promises';
import { parseCpuPressure, parseSystemStat, type HostSample } from './host-load.js';

export interface HostSamplerDeps {
  /** The file's text, or null when it does not exist (no PSI, not Linux). */
  read: (path: string) => Promise<string | null>;
  now: () => number;
  /** Calls fn every ms milliseconds until the returned function is called. */
  every: (ms: number, fn: () => void) => () => void;
}

export interface HostSampling {
  /** Stops sampling (after one last sample) and returns every sample taken, oldest first; idempotent. */
  stop: () => Promise<HostSample[]>;
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

export const REAL_HOST: HostSamplerDeps = {
  read: readOrNull,
  now: Date.now,
  every: (ms, fn) => {
    const t = setInterval(fn, ms);
    t.unref();
    return () => {
      clearInterval(t);
    };
  },
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

export function startHostSampling(intervalMs = 1000, deps: HostSamplerDeps = REAL_HOST): HostSampling {
  const samples: HostSample[] = [];
  const pending = new Set<Promise<void>>();
  const take = (): void => {
    const p = sampleHost(deps).then((s) => {
      if (s !== undefined) samples.push(s);
    });
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  take();
  const cancel = deps.every(intervalMs, take);
  let stopped: Promise<HostSample[]> | undefined;
  const stop = async (): Promise<HostSample[]> => {
    cancel();
    take();
    await Promise.all([...pending]);
    return samples.sort((a, b) => a.atMs - b.atMs);
  };
  return { stop: () => (stopped ??= stop()) };
}
