/** bin/kos-test.js as a managed child with its output in a log file, and the processes a test left. */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { spawnManaged } from '../../src/process/child-registry.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../../../bin/kos-test.js', import.meta.url));

/** Runs `kos-test ARGS` from the repository, its stdout and stderr both into `log`. */
export async function runKosTest(
  args: readonly string[],
  log: string,
): Promise<{ code: number | null; text: string }> {
  const child = spawnManaged({
    name: 'kos-test',
    command: process.execPath,
    args: [cli, ...args],
    logFile: log,
    cwd: repo,
  });
  const exit = await child.exited;
  return { code: exit.code, text: await readFile(log, 'utf8') };
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
