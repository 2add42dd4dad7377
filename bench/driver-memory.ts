/**
 * driver-memory: bytes per tracked attachment in the driver's attachment book at 1,000,000
 * tracked (target <= 100), measured as heap + ArrayBuffer growth after a full GC in a child
 * process of its own (--expose-gc), so nothing else of the benchmark is in the count.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnManaged } from '../src/process/child-registry.js';
import { KosTestError } from '../src/util/errors.js';
import type { BenchContext } from './benchmark.js';
import type { BookMemoryResult } from './driver-book-memory-child.js';
import { check, type BenchReport } from './report.js';

const CHILD = fileURLToPath(new URL('./driver-book-memory-child.js', import.meta.url));
const TRACKED = 1_000_000;
const TARGET_BYTES = 100;

export async function runDriverMemory(ctx: BenchContext): Promise<BenchReport> {
  await mkdir(ctx.workDir, { recursive: true });
  const resultPath = join(ctx.workDir, 'book-memory.json');
  const logFile = join(ctx.workDir, 'book-memory.log');
  const child = spawnManaged({
    name: 'book-memory',
    command: process.execPath,
    args: ['--expose-gc', CHILD, String(TRACKED), resultPath],
    logFile,
  });
  const exit = await child.exited;
  if (exit.code !== 0)
    throw new KosTestError({
      what: 'the memory child failed',
      value: String(exit.code ?? exit.signal),
      fix: `see ${logFile}`,
    });
  const r = JSON.parse(await readFile(resultPath, 'utf8')) as BookMemoryResult;
  const each = (bytes: number): number => bytes / r.tracked;
  return {
    summary: `The plan of a run of ${r.tracked.toLocaleString('en-US')} creates (2x ops), then the AttachmentBook tracking them (every field written; it shares the plan's id array), in a child with --expose-gc; heapUsed + external after GC.`,
    measures: [
      { label: 'book: heap + ArrayBuffer growth per attachment', value: each(r.bookBytes), unit: 'bytes' },
      { label: 'book: RSS growth per attachment', value: each(r.bookRssBytes), unit: 'bytes' },
      { label: 'book: its own arrays per attachment', value: each(r.bookArrayBytes), unit: 'bytes' },
      { label: 'plan (schedule, slots, slice) per attachment', value: each(r.planBytes), unit: 'bytes' },
    ],
    checks: [
      check('book per tracked attachment at 1,000,000', each(r.bookBytes), '<', TARGET_BYTES, 'bytes', 1),
      check(
        'book + plan per tracked attachment',
        each(r.bookBytes + r.planBytes),
        '<',
        TARGET_BYTES,
        'bytes',
        1,
      ),
    ],
    details: { ...r },
  };
}
