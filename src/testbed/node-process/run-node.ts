/**
 * Runs the component a node spec names in this process and returns how to stop it: the
 * in-process half of a node, shared by the node entry point and by tests.
 */
import { startAgentGroup } from '../comp/agent-group.js';
import { startKubeFront } from '../kapi/kube-front.js';
import { startKctrl } from '../kctrl/namespace-controller.js';
import { NetworkApiserver } from '../napi/network-apiserver.js';
import { startNctrl } from '../nctrl/nctrl-node.js';
import type { NodeSpec } from './node-spec.js';

export interface RunningNode {
  endpoints: Record<string, string>;
  /** Testbed nodes hosted, when not just the one named by the spec. */
  nodes?: string[];
  /** Applies a changed spec of the same component where it can; false when a restart is needed. */
  reconfigure?(spec: NodeSpec): boolean;
  stop(): Promise<void>;
}

export async function runNode(spec: NodeSpec, log: (message: string) => void): Promise<RunningNode> {
  switch (spec.component) {
    case 'napi': {
      const napi = await NetworkApiserver.start({ ...spec, log });
      return { endpoints: { api: napi.url, metrics: `${napi.url}/metrics` }, stop: () => napi.stop() };
    }
    case 'kapi': {
      const front = await startKubeFront({ ...spec, log });
      return {
        endpoints: front.endpoints,
        reconfigure: (next) => {
          if (next.component !== 'kapi') return false;
          front.setNapiServers(next.napiServers);
          return true;
        },
        stop: () => front.stop(),
      };
    }
    case 'kctrl': {
      const kctrl = await startKctrl({ ...spec, log });
      return {
        endpoints: kctrl.endpoints,
        reconfigure: (next) => {
          if (next.component !== 'kctrl') return false;
          kctrl.setNapiServers(next.napiServers);
          return true;
        },
        stop: () => kctrl.stop(),
      };
    }
    case 'nctrl': {
      const nctrl = await startNctrl({ ...spec, log });
      return { endpoints: { metrics: nctrl.endpoints.metrics }, stop: () => nctrl.stop() };
    }
    case 'comp': {
      const group = await startAgentGroup({ ...spec, log });
      return { endpoints: group.endpoints, nodes: group.nodes, stop: () => group.stop() };
    }
  }
}
