/**
 * Which node processes a testbed of a given shape runs, and how they connect (pure). Agents are
 * spread over the network-apiservers as a Service would spread their connections.
 */
import type { DataPlaneSpec } from '../comp/comp-group-spec.js';
import type { CompGroupSpec } from '../node-process/node-spec.js';
import { nodeAddress, nodeName, type Purpose } from '../node-addresses.js';
import type { TestbedConfig } from './testbed-config.js';

export function compGroupName(index: number): string {
  return `comp-group${index}`;
}

/** 0, 1, ..., n-1: the comp nodes that run agents when NCA alone decides (`Testbed.scale`). */
export function firstComps(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * Agent groups for agents on the comp nodes `agentNodes` (indices; default comp0..NCA-1). Group k
 * holds the agents of comp nodes k*agentsPerGroup .. (k+1)*agentsPerGroup-1, so moving one agent
 * restarts only its own group.
 */
export function planCompGroups(
  config: Pick<TestbedConfig, 'nca' | 'agentsPerGroup' | 'fabricDelay'> &
    Partial<Pick<TestbedConfig, 'groupFabricDelays'>>,
  napiUrls: readonly string[],
  agentNodes: readonly number[] = firstComps(config.nca),
  dataPlane?: DataPlaneSpec,
): CompGroupSpec[] {
  if (napiUrls.length === 0) throw new Error('agents need at least one network-apiserver');
  const byGroup = new Map<number, number[]>();
  for (const i of [...new Set(agentNodes)].sort((a, b) => a - b)) {
    const k = Math.floor(i / config.agentsPerGroup);
    byGroup.set(k, [...(byGroup.get(k) ?? []), i]);
  }
  return [...byGroup].map(([k, indices]) => {
    const agents = indices.map((i) => ({
      node: nodeName('comp', i),
      hostIP: nodeAddress('comp', i),
      apiServer: napiUrls[i % napiUrls.length] ?? '',
    }));
    return {
      component: 'comp',
      name: compGroupName(k),
      metricsHost: agents[0]?.hostIP ?? nodeAddress('comp', k * config.agentsPerGroup),
      metricsPort: 0,
      agents,
      apiServers: [...napiUrls],
      fabricDelay: config.groupFabricDelays?.[k] ?? config.fabricDelay,
      ...(dataPlane === undefined ? {} : { dataPlane }),
    };
  });
}

export interface TestbedNode {
  name: string;
  purpose: Purpose;
  address: string;
  /** Its kos-role/<purpose> label; comp candidates without an agent are `false`. @default 'true' */
  role?: 'true' | 'false';
}

/** Every node of the testbed, as Node objects list them (comp and napi: the candidates too). */
export function testbedNodes(
  config: Pick<TestbedConfig, 'nca' | 'nna' | 'nka' | 'netcd' | 'ketcd'> &
    Partial<Pick<TestbedConfig, 'compNodes' | 'napiNodes'>>,
): TestbedNode[] {
  const counts: [Purpose, number][] = [
    ['ketcd', config.ketcd],
    ['kapi', config.nka],
    ['kctrl', 1],
    ['netcd', config.netcd],
    ['napi', Math.max(config.nna, config.napiNodes ?? 0)],
    ['nctrl', 1],
    ['data', 1],
    ['base', 1],
    ['comp', Math.max(config.nca, config.compNodes ?? 0)],
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
