/** This machine's limits the testbed plan depends on: open files, available memory (Linux /proc), CPUs. */
import { readFile } from 'node:fs/promises';
import { cpus, freemem } from 'node:os';

/** What a cost model is measured on, and matched against (ADR 0019). */
export interface MachineCpus {
  cores: number;
  modelName: string;
}

export function machineCpus(): MachineCpus {
  const all = cpus();
  return { cores: all.length, modelName: all[0]?.model ?? 'unknown' };
}

/** Parses the soft "Max open files" of /proc/<pid>/limits. */
export function parseOpenFilesLimit(limits: string): number | undefined {
  const m = /^Max open files\s+(\d+|unlimited)\s+/m.exec(limits);
  if (m === null) return undefined;
  return m[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(m[1]);
}

/** MemAvailable of /proc/meminfo, in bytes. */
export function parseMemAvailable(meminfo: string): number | undefined {
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(meminfo);
  return m === null ? undefined : Number(m[1]) * 1024;
}

export async function localMachine(): Promise<{ fdLimit: number; availableMemoryBytes: number }> {
  const limits = await readFile('/proc/self/limits', 'utf8').catch(() => '');
  const meminfo = await readFile('/proc/meminfo', 'utf8').catch(() => '');
  return {
    fdLimit: parseOpenFilesLimit(limits) ?? 1024,
    availableMemoryBytes: parseMemAvailable(meminfo) ?? freemem(),
  };
}
