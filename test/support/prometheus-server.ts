/**
 * A real Prometheus (Debian's package) on a loopback port for tests: started with a config
 * file, ready when /-/ready answers, stopped by PID. Debian builds Prometheus without
 * Kubernetes service discovery, so tests feed targets through file_sd instead.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnManaged, type ManagedChild } from '../../src/process/child-registry.js';
import { findFreePort } from '../../src/net/free-port.js';
import { writeFileAtomic } from '../../src/util/atomic-write.js';

export interface PrometheusServer {
  url: string;
  dir: string;
  child: ManagedChild;
  /** GET url+path, parsed JSON (the API's envelope). */
  get(path: string): Promise<{ status: string; data?: unknown; error?: string; errorType?: string }>;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

export async function startPrometheus(
  configYaml: string,
  files: Record<string, string> = {},
): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'kos-test-prom-'));
  const configPath = join(dir, 'prometheus.yml');
  await writeFileAtomic(configPath, configYaml.replaceAll('$DIR', dir));
  for (const [name, content] of Object.entries(files)) await writeFileAtomic(join(dir, name), content);
  const port = await findFreePort(HOST);
  const child = spawnManaged({
    name: 'prometheus',
    command: 'prometheus',
    args: [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=${HOST}:${port}`,
      '--web.enable-lifecycle',
    ],
    logFile: join(dir, 'prometheus.log'),
  });
  const url = `http://${HOST}:${port}`;
  const get = async (path: string): Promise<{ status: string; data?: unknown; error?: string }> => {
    const res = await fetch(`${url}${path}`);
    return (await res.json()) as { status: string; data?: unknown; error?: string };
  };
  const stop = async (): Promise<void> => {
    await child.stop();
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!child.isRunning()) {
      await stop();
      throw new Error(`prometheus exited before it was ready (config in ${configPath})`);
    }
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error('prometheus not ready within 30 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, dir, child, get, stop };
}
