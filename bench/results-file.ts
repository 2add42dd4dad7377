/** The JSON record of one `npm run bench`: out/bench/<timestamp>.json, written atomically. */
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../src/util/atomic-write.js';
import type { BenchOptions } from './bench-options.js';
import type { BenchResult } from './report.js';

/** `2026-11-23T10-00-00-123Z`: an ISO time that is a valid file name everywhere. */
export function fileStamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

export async function writeResults(
  outDir: string,
  startedAt: Date,
  options: BenchOptions,
  results: readonly BenchResult[],
): Promise<string> {
  const file = join(outDir, `${fileStamp(startedAt)}.json`);
  const record = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: {
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? '',
      memoryBytes: totalmem(),
    },
    options,
    results,
  };
  await writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}
