/**
 * `<dir>/testbed.json`: how other kos-test commands find a running testbed's supervisor (its
 * PID and control URL) and, should the supervisor have died, the etcd members it left.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../util/atomic-write.js';

export const testbedStateSchema = z.object({
  pid: z.number().int(),
  controlUrl: z.url(),
  startedAt: z.string(),
  kubeconfig: z.string(),
  /** etcd members by PID with their data dirs: a PID is only ours if its command line names it. */
  etcd: z.array(z.object({ pid: z.number().int(), dataDir: z.string() })),
  /** The testbed's Prometheus (absent when turned off); its PID is ours if its command line names dataDir. */
  prometheus: z.object({ pid: z.number().int(), url: z.url(), dataDir: z.string() }).optional(),
});

export type TestbedState = z.infer<typeof testbedStateSchema>;

/** The state directory of `kos-test testbed ...` when --dir is not given. */
export const DEFAULT_TESTBED_DIR = '.kos-test/testbed';

export function stateFile(dir: string): string {
  return join(dir, 'testbed.json');
}

export async function readTestbedState(dir: string): Promise<TestbedState | undefined> {
  let text: string;
  try {
    text = await readFile(stateFile(dir), 'utf8');
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return testbedStateSchema.parse(JSON.parse(text));
}

export async function writeTestbedState(dir: string, state: TestbedState): Promise<void> {
  await writeFileAtomic(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`);
}

export async function removeTestbedState(dir: string): Promise<void> {
  await rm(stateFile(dir), { force: true });
}

/** True when `pid` runs and its command line contains `marker` (so it is the process we started). */
export async function isOurProcess(pid: number, marker: string): Promise<boolean> {
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.split('\0').some((arg) => arg.includes(marker));
  } catch {
    return false;
  }
}
