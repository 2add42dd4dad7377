/**
 * From what one process's readings say to each testbed node's costs (pure). A process hosting
 * one node gives that node all of its CPU, memory and traffic. A process hosting several
 * (hollow agents) splits CPU and memory evenly among them, and gives each node exactly the
 * bytes of its own address, plus an even share of the bytes on addresses that belong to none
 * of them (normally none: every agent binds its own address).
 */
import { PURPOSE_OCTET, nodeAddress, type Purpose } from '../node-addresses.js';
import type { NodeReady } from '../node-ready.js';
import type { ResourceReading } from './cgroup-accounting.js';
import type { MonotonicCounters } from './monotonic-counters.js';
import type { ByteCounts } from './socket-accounting.js';

export interface NetworkReading {
  /** Changes exactly when the counters start again from zero (the process restarted). */
  epoch: string;
  byAddress: ReadonlyMap<string, ByteCounts>;
}

export interface ProcessObservation {
  ready: NodeReady;
  resources: ResourceReading;
  /** Undefined when the process's traffic could not be read. */
  network: NetworkReading | undefined;
}

export interface NodeCost {
  node: string;
  purpose: string;
  /** Hosted with other nodes in one process, so CPU and memory are a share. */
  hollow: boolean;
  cpuSeconds: number;
  workingSetBytes: number;
  rssBytes: number;
  network: ByteCounts | undefined;
}

/** The node's loopback address from its name (`comp17` → 127.10.0.18); undefined if not a testbed name. */
export function nodeAddressOf(node: string): string | undefined {
  const m = /^([a-z]+)(\d+)$/.exec(node);
  if (m?.[1] === undefined || m[2] === undefined || !Object.hasOwn(PURPOSE_OCTET, m[1])) return undefined;
  try {
    return nodeAddress(m[1] as Purpose, Number(m[2]));
  } catch {
    return undefined;
  }
}

/** Each hosted node's bytes, as the module comment says. */
export function attributeNetwork(
  nodes: readonly string[],
  byAddress: ReadonlyMap<string, ByteCounts>,
): Map<string, ByteCounts> {
  const out = new Map<string, ByteCounts>();
  if (nodes.length === 1) {
    out.set(nodes[0] ?? '', sumCounts(byAddress.values()));
    return out;
  }
  const own = new Map<string, string>();
  for (const node of nodes) {
    const address = nodeAddressOf(node);
    if (address !== undefined) own.set(address, node);
  }
  const rest = sumCounts([...byAddress].filter(([address]) => !own.has(address)).map(([, c]) => c));
  for (const node of nodes) {
    const address = nodeAddressOf(node);
    const mine = address === undefined ? undefined : byAddress.get(address);
    out.set(node, {
      receivedBytes: (mine?.receivedBytes ?? 0) + rest.receivedBytes / nodes.length,
      sentBytes: (mine?.sentBytes ?? 0) + rest.sentBytes / nodes.length,
    });
  }
  return out;
}

/** One process's readings as the costs of the nodes it hosts, counters made monotonic. */
export function nodeCosts(obs: ProcessObservation, counters: MonotonicCounters): NodeCost[] {
  const { ready, resources, network } = obs;
  const share = ready.nodes.length;
  const traffic = network === undefined ? undefined : attributeNetwork(ready.nodes, network.byAddress);
  return ready.nodes.map((node) => {
    const bytes = traffic?.get(node);
    return {
      node,
      purpose: ready.purpose,
      hollow: share > 1,
      cpuSeconds: counters.observe(`${node}/cpu`, resources.epoch, resources.cpuSeconds / share),
      workingSetBytes: resources.workingSetBytes / share,
      rssBytes: resources.rssBytes / share,
      network:
        bytes === undefined || network === undefined
          ? undefined
          : {
              receivedBytes: counters.observe(`${node}/rx`, network.epoch, bytes.receivedBytes),
              sentBytes: counters.observe(`${node}/tx`, network.epoch, bytes.sentBytes),
            },
    };
  });
}

function sumCounts(counts: Iterable<ByteCounts>): ByteCounts {
  const total = { receivedBytes: 0, sentBytes: 0 };
  for (const c of counts) {
    total.receivedBytes += c.receivedBytes;
    total.sentBytes += c.sentBytes;
  }
  return total;
}
