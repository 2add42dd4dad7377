/**
 * Runs the component a node spec names in this process and returns how to stop it: the
 * in-process half of a node, shared by the node entry point and by tests.
 */
import { NetworkApiserver } from '../napi/network-apiserver.js';
import type { NodeSpec } from './node-spec.js';

export interface RunningNode {
  endpoints: Record<string, string>;
  /** Testbed nodes hosted, when not just the one named by the spec. */
  nodes?: string[];
  stop(): Promise<void>;
}

export async function runNode(spec: NodeSpec, log: (message: string) => void): Promise<RunningNode> {
  const napi = await NetworkApiserver.start({ ...spec, log });
  return { endpoints: { api: napi.url, metrics: `${napi.url}/metrics` }, stop: () => napi.stop() };
}
