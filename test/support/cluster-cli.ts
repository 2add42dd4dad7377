/** A kube front on real etcd for the cluster-tool tests, plus the CLI run as a user runs it. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startKubeFrontStack, type KubeFrontStack } from '../../src/testbed/kapi/kube-front-stack.js';
import type { NodeFixture } from './r12s24-nodes.js';

const cli = fileURLToPath(new URL('../../../bin/kos-test.js', import.meta.url));
const run = promisify(execFile);

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export async function kosTest(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (e: unknown) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

export interface FrontForTest {
  dir: string;
  url: string;
  kubeconfig: string;
  stop(): Promise<void>;
}

/** ketcd and one kube front, no network-apiservers: nodes are all these tools touch. */
export async function startFront(): Promise<FrontForTest> {
  const dir = await mkdtemp(join(tmpdir(), 'kos-test-cluster-'));
  const stack: KubeFrontStack = await startKubeFrontStack({ dir, napiServers: [], log: () => undefined });
  return {
    dir,
    url: stack.fronts[0]?.url ?? '',
    kubeconfig: stack.kubeconfigPath,
    stop: async () => {
      await stack.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function createNodes(url: string, nodes: readonly NodeFixture[], inFlight = 16): Promise<void> {
  const queue = [...nodes];
  const worker = async (): Promise<void> => {
    for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
      const res = await fetch(`${url}/api/v1/nodes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(n),
      });
      if (res.status !== 201)
        throw new Error(`creating ${n.metadata.name}: ${res.status} ${await res.text()}`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

export interface StoredNode {
  metadata: {
    name: string;
    resourceVersion: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
}

export async function storedNodes(url: string): Promise<StoredNode[]> {
  const res = await fetch(`${url}/api/v1/nodes`);
  return ((await res.json()) as { items: StoredNode[] }).items;
}

/** name -> the labels and annotations the cluster tools own (kos-role/*, prometheus.io/*). */
export function toolMetadata(nodes: readonly StoredNode[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const n of nodes) {
    const labels = Object.entries(n.metadata.labels ?? {}).filter(([k]) => k.startsWith('kos-role/'));
    const annotations = Object.entries(n.metadata.annotations ?? {}).filter(([k]) =>
      k.startsWith('prometheus.io/'),
    );
    out[n.metadata.name] = [...labels, ...annotations].map(([k, v]) => `${k}=${v}`).sort();
  }
  return out;
}

export function versions(nodes: readonly StoredNode[]): Record<string, string> {
  return Object.fromEntries(nodes.map((n) => [n.metadata.name, n.metadata.resourceVersion]));
}
