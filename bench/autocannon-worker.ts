/**
 * autocannon (npm, v9) in its own process, closed-loop against one URL: `node autocannon-worker.js
 * <spec>`. Writes requests, rate and the CPU this process used while it ran (from /proc) to the
 * result file. The reference the driver benchmarks compare the driver with, on the same server.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { writeFileAtomic } from '../src/util/atomic-write.js';
import { toError } from '../src/util/errors.js';
import { cpuWindow } from './proc-stats.js';

export const autocannonSpecSchema = z.object({
  url: z.string(),
  method: z.enum(['GET', 'POST']),
  body: z.string().optional(),
  connections: z.number().int().positive(),
  seconds: z.number().positive(),
  pids: z.record(z.string(), z.number().int()),
  resultPath: z.string(),
});
export type AutocannonSpec = z.infer<typeof autocannonSpecSchema>;

export interface AutocannonResult {
  ok: boolean;
  error?: string;
  /** 2xx answers. */
  requests: number;
  non2xx: number;
  errors: number;
  seconds: number;
  /** CPU seconds over the run: `autocannon` (this process), the pids, and `others`. */
  cpu: Record<string, number>;
}

interface AutocannonOutput {
  '2xx': number;
  non2xx: number;
  errors: number;
  duration: number;
}

type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonOutput>;

async function main(): Promise<void> {
  const spec = autocannonSpecSchema.parse(JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')));
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const window = cpuWindow(spec.pids);
  const out = await autocannon({
    url: spec.url,
    method: spec.method,
    connections: spec.connections,
    duration: spec.seconds,
    headers: { 'content-type': 'application/json' },
    ...(spec.body === undefined ? {} : { body: spec.body }),
  });
  const end = window.end();
  const { bench: mine = 0, ...rest } = end.cpu;
  const result: AutocannonResult = {
    ok: true,
    requests: out['2xx'],
    non2xx: out.non2xx,
    errors: out.errors,
    seconds: end.seconds,
    cpu: { autocannon: mine, ...rest },
  };
  await writeFileAtomic(spec.resultPath, JSON.stringify(result));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`autocannon-worker: ${toError(e).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
