/** The seed's r12s24 node set as Node objects, the way kubelets on those VMs would register them. */
import { nodeAddress, type Purpose } from '../../src/testbed/node-addresses.js';

const R12S24: [Purpose, number, number][] = [
  // purpose, count, memory GiB (every node has 4 CPUs)
  ['base', 1, 32],
  ['ketcd', 3, 12],
  ['kapi', 1, 12],
  ['kctrl', 1, 12],
  ['netcd', 3, 12],
  ['napi', 1, 12],
  ['nctrl', 1, 12],
  ['data', 1, 12],
  ['comp', 3, 8],
];

export interface NodeFixture {
  apiVersion: 'v1';
  kind: 'Node';
  metadata: { name: string; labels: Record<string, string>; annotations?: Record<string, string> };
  status: {
    addresses: { type: string; address: string }[];
    capacity: Record<string, string>;
    allocatable: Record<string, string>;
    conditions: { type: string; status: string }[];
  };
}

/** A VM given G GiB reports a little less: the kernel keeps ~150 MiB. */
export function vmMemory(gib: number): string {
  return `${gib * 1024 * 1024 - 150 * 1024}Ki`;
}

export function nodeFixture(name: string, address: string, cpus = 4, memory = vmMemory(8)): NodeFixture {
  const capacity = { cpu: String(cpus), memory, pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    status: {
      addresses: [
        { type: 'InternalIP', address },
        { type: 'Hostname', address: name },
      ],
      capacity,
      allocatable: capacity,
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

export function r12s24Nodes(): NodeFixture[] {
  return R12S24.flatMap(([purpose, count, gib]) =>
    Array.from({ length: count }, (_, i) =>
      nodeFixture(`${purpose}${i}`, nodeAddress(purpose, i), 4, vmMemory(gib)),
    ),
  );
}
