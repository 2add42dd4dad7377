/** A real etcd and real network-apiservers for a test file, torn down after it. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startApiserverStack,
  type ApiserverStack,
  type ApiserverStackOptions,
} from '../../src/testbed/apiserver-stack.js';

export async function withStack(
  opts: Omit<ApiserverStackOptions, 'dir'> = {},
): Promise<ApiserverStack & { cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'kos-test-'));
  const stack = await startApiserverStack({ ...opts, dir, log: () => undefined });
  return {
    ...stack,
    cleanup: async () => {
      await stack.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const GV = '/apis/network.example.com/v1alpha1';

export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; json: Record<string, unknown> }> {
  const init: RequestInit = { method, headers: { 'content-type': contentType } };
  if (body !== undefined && method !== 'GET')
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  return { status: res.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

export function attachment(
  name: string,
  node: string,
  labels: Record<string, string> = {},
): Record<string, unknown> {
  return {
    apiVersion: 'network.example.com/v1alpha1',
    kind: 'NetworkAttachment',
    metadata: { name, labels },
    spec: { node, subnet: 's1' },
  };
}

/** Reads a watch stream's JSON lines until `done` says enough or the time runs out. */
export async function readWatch(
  url: string,
  done: (events: { type: string; object: Record<string, unknown> }[]) => boolean,
  timeoutMs = 5000,
): Promise<{ type: string; object: Record<string, unknown> }[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort();
  }, timeoutMs);
  const events: { type: string; object: Record<string, unknown> }[] = [];
  try {
    const res = await fetch(url, { signal: controller.signal });
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buffered.slice(0, nl)) as { type: string; object: Record<string, unknown> });
        buffered = buffered.slice(nl + 1);
        if (done(events)) return events;
      }
    }
  } catch (e: unknown) {
    if (!(e instanceof Error && e.name === 'AbortError')) throw e;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}
