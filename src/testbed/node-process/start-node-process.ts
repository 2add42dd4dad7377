/**
 * Starts one testbed node as its own OS process and waits until it serves: writes the spec into
 * the node's directory, spawns `node-main.js` under the child registry, and polls for its ready
 * file. A node that exits first fails with the tail of its log.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnManaged, type ManagedChild } from '../../process/child-registry.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { KosTestError } from '../../util/errors.js';
import { nodeReadySchema, type NodeReady } from '../node-ready.js';
import type { NodeSpec } from './node-spec.js';

export interface NodeProcess {
  name: string;
  spec: NodeSpec;
  dir: string;
  child: ManagedChild;
  ready: NodeReady;
  logFile: string;
}

export interface StartNodeProcessOptions {
  spec: NodeSpec;
  /** The node's own directory: spec.json, ready.json and node.log live here. */
  dir: string;
  /** @default 30000 */
  readyTimeoutMs?: number;
  /** Extra flags for node, e.g. ['--max-old-space-size=4096']. */
  nodeFlags?: string[];
  /** Called right after the spawn, before the node starts work (e.g. to place it in a cgroup). */
  onSpawn?: (pid: number) => Promise<unknown>;
  /** Another build's node-main.js, for benches that run two builds side by side. @default this build's */
  nodeMain?: string;
}

const NODE_MAIN = fileURLToPath(new URL('./node-main.js', import.meta.url));
const POLL_MS = 25;

export async function startNodeProcess(opts: StartNodeProcessOptions): Promise<NodeProcess> {
  const { spec, dir } = opts;
  await mkdir(dir, { recursive: true });
  const readyFile = join(dir, 'ready.json');
  await rm(readyFile, { force: true });
  await writeFileAtomic(join(dir, 'spec.json'), `${JSON.stringify(spec, null, 2)}\n`);
  const logFile = join(dir, 'node.log');
  const child = spawnManaged({
    name: spec.name,
    command: process.execPath,
    args: [...(opts.nodeFlags ?? []), '--enable-source-maps', opts.nodeMain ?? NODE_MAIN, dir],
    logFile,
  });
  try {
    await opts.onSpawn?.(child.pid);
  } catch (e: unknown) {
    await child.stop();
    throw e;
  }
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  for (;;) {
    const ready = await readReady(readyFile);
    if (ready !== undefined) return { name: spec.name, spec, dir, child, ready, logFile };
    if (!child.isRunning()) {
      const exit = await child.exited;
      throw new KosTestError({
        what: `testbed node ${spec.name} exited while starting`,
        value: `${exit.signal ?? `code ${String(exit.code)}`}; ${await logTail(logFile)}`,
        fix: `see ${logFile}`,
      });
    }
    if (Date.now() > deadline) {
      await child.stop();
      throw new KosTestError({
        what: `testbed node ${spec.name} did not become ready`,
        value: `${opts.readyTimeoutMs ?? 30_000} ms; ${await logTail(logFile)}`,
        fix: `see ${logFile}; the machine may be overloaded`,
      });
    }
    await sleep(POLL_MS);
  }
}

async function readReady(file: string): Promise<NodeReady | undefined> {
  try {
    return nodeReadySchema.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The last lines of a log, on one line, for an error message. */
export async function logTail(file: string, lines = 3): Promise<string> {
  try {
    const text = (await readFile(file, 'utf8')).trimEnd();
    return text.split('\n').slice(-lines).join(' | ') || '(empty log)';
  } catch {
    return '(no log)';
  }
}
