/**
 * Which node processes a testbed of a given shape runs, and how they connect (pure). Agents are
 * spread over the network-apiservers as a Service would spread their connections.
 */
import type { CompGroupSpec } from '../node-process/node-spec.js';
import { nodeAddress, nodeName, type Purpose } from '../node-addresses.js';
import type { TestbedConfig } from './testbed-config.js';

export function compGroupName(index: number): string {
  return `comp-group${index}`;
}

export function planCompGroups(
  config: Pick<TestbedConfig, 'nca' | 'agentsPerGroup' | 'fabricDelay'>,
  napiUrls: readonly string[],
): CompGroupSpec[] {
  if (napiUrls.length === 0) throw new Error('agents need at least one network-apiserver');
  const groups: CompGroupSpec[] = [];
  for (let first = 0; first < config.nca; first += config.agentsPerGroup) {
    const count = Math.min(config.agentsPerGroup, config.nca - first);
    const agents = Array.from({ length: count }, (_, k) => {
      const i = first + k;
      return {
        node: nodeName('comp', i),
        hostIP: nodeAddress('comp', i),
        apiServer: napiUrls[i % napiUrls.length] ?? '',
      };
    });
    groups.push({
      component: 'comp',
      name: compGroupName(groups.length),
      metricsHost: agents[0]?.hostIP ?? nodeAddress('comp', first),
      metricsPort: 0,
      agents,
      fabricDelay: config.fabricDelay,
    });
  }
  return groups;
}

export interface TestbedNode {
  name: string;
  purpose: Purpose;
  address: string;
}

/** Every node of the testbed, as Node objects list them. */
export function testbedNodes(
  config: Pick<TestbedConfig, 'nca' | 'nna' | 'nka' | 'netcd' | 'ketcd'>,
): TestbedNode[] {
  const counts: [Purpose, number][] = [
    ['ketcd', config.ketcd],
    ['kapi', config.nka],
    ['kctrl', 1],
    ['netcd', config.netcd],
    ['napi', config.nna],
    ['nctrl', 1],
    ['data', 1],
    ['base', 1],
    ['comp', config.nca],
  ];
  return counts.flatMap(([purpose, n]) =>
    Array.from({ length: n }, (_, i) => ({
      name: nodeName(purpose, i),
      purpose,
      address: nodeAddress(purpose, i),
    })),
  );
}

/** Specs that differ need their process restarted. */
export function sameSpec(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
