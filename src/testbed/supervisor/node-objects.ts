/**
 * The Node objects of the testbed, as kubelets would register them: name, InternalIP, capacity,
 * Ready, and the `kos-role/<purpose>=true` label the KOS manifests and the driver select on.
 */
import { cpus, totalmem } from 'node:os';
import type { KosObject } from '../../api/meta.js';
import type { TestbedNode } from './testbed-layout.js';

export const ROLE_LABEL_PREFIX = 'kos-role/';

/** On every testbed Node: `linux` when tested attachments get a real data plane, else `off`. */
export const DATA_PLANE_ANNOTATION = 'kos-test/data-plane';
export const TESTBED_ANNOTATION = 'kos-test/testbed';

export function nodeObject(node: TestbedNode, now = new Date(), dataPlane = false): KosObject {
  const capacity = { cpu: String(cpus().length), memory: `${Math.floor(totalmem() / 1024)}Ki`, pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      labels: {
        'kubernetes.io/hostname': node.name,
        'kubernetes.io/os': 'linux',
        [`${ROLE_LABEL_PREFIX}${node.purpose}`]: node.role ?? 'true',
      },
      annotations: { [TESTBED_ANNOTATION]: 'true', [DATA_PLANE_ANNOTATION]: dataPlane ? 'linux' : 'off' },
    },
    status: {
      addresses: [
        { type: 'InternalIP', address: node.address },
        { type: 'Hostname', address: node.name },
      ],
      capacity,
      allocatable: capacity,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'hollow node of the kos-test testbed',
          lastHeartbeatTime: now.toISOString().replace(/\.\d+Z$/, 'Z'),
          lastTransitionTime: now.toISOString().replace(/\.\d+Z$/, 'Z'),
        },
      ],
    },
  };
}
