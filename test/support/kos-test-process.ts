/**
 * bin/kos-test.js as a managed child with its output in a log file: run to its end, or started
 * and followed through the JSON events it logs (`--json`); and the processes a test left.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { SweepEvent } from '../../src/experiment/run/sweep-events.js';
import { RESULTS_FILE } from '../../src/experiment/store/results-jsonl.js';
import { runRecordSchema, type RunRecord } from '../../src/experiment/store/run-record.js';
import { spawnManaged, type ManagedChild } from '../../src/process/child-registry.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../../../bin/kos-test.js', import.meta.url));

/** Starts `kos-test ARGS` from the repository, its stdout and stderr both into `log`. */
export function startKosTest(args: readonly string[], log: string, name = 'kos-test'): ManagedChild {
  return spawnManaged({ name, command: process.execPath, args: [cli, ...args], logFile: log, cwd: repo });
}

/** Runs `kos-test ARGS` to its end, its stdout and stderr both into `log`. */
export async function runKosTest(
  args: readonly string[],
  log: string,
): Promise<{ code: number | null; text: string }> {
  const exit = await startKosTest(args, log).exited;
  return { code: exit.code, text: await readFile(log, 'utf8') };
}

/** The non-empty lines of a file (none while it does not exist). */
export async function logLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l !== '');
}

/** The JSON events (`--json`) the runner has logged to `log` so far. */
export async function runnerEvents(log: string): Promise<SweepEvent[]> {
  return (await logLines(log)).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as SweepEvent);
}

/**
 * Waits until the runner logging to `log` has logged an event `match` accepts (polling the log:
 * no wall-clock bound, so a loaded machine only makes it slower); throws if the runner ends first.
 */
export async function waitForRunnerEvent(
  runner: ManagedChild,
  log: string,
  match: (e: SweepEvent) => boolean,
): Promise<void> {
  for (;;) {
    const lines = await logLines(log);
    const events = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as SweepEvent);
    if (events.some(match)) return;
    if (!runner.isRunning())
      throw new Error(`${runner.name} ended before the event: ${lines.slice(-5).join('\n')}`);
    await sleep(200);
  }
}

/** Every record of a sweep's results.jsonl in file order (superseded attempts too), with its line. */
export async function sweepRecords(out: string): Promise<{ line: string; record: RunRecord }[]> {
  return (await logLines(join(out, RESULTS_FILE))).map((line) => ({
    line,
    record: runRecordSchema.parse(JSON.parse(line)),
  }));
}

/** Processes whose command line mentions `text` (e.g. a test's temporary directory). */
export async function processesMentioning(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes(text)) found.push(`${pid}: ${cmd.replace(/\0/g, ' ')}`);
  }
  return found;
}
