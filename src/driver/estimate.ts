/** `kos-test drive --estimate`: the population the options give, and its size CSVs; nothing is created. */
import { join } from 'node:path';
import type { DriveOptionsInput } from './drive-options.js';
import { OUTPUT_FILES, writeSizeCsvs } from './outputs.js';
import { avgPeers, populationOf, vnSizes } from './population.js';
import { generateRunId } from './plan/run-id.js';
import { parseDriveOptions } from './run-drive.js';

export interface Estimate {
  runId: string;
  sizes: number[];
  population: number;
  avgPeers: number;
  sizeCsv: string;
  outlineCsv: string;
}

export async function estimateDrive(input: DriveOptionsInput, wallMs = Date.now()): Promise<Estimate> {
  const o = parseDriveOptions(input);
  const runId = o.runId ?? generateRunId(wallMs, Math.random);
  const sizes = vnSizes(o);
  const dir = join(o.outDir, runId);
  await writeSizeCsvs(dir, sizes);
  return {
    runId,
    sizes,
    population: populationOf(sizes),
    avgPeers: avgPeers(sizes),
    sizeCsv: join(dir, OUTPUT_FILES.sizes),
    outlineCsv: join(dir, OUTPUT_FILES.outline),
  };
}
