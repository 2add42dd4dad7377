/**
 * The Node objects of the testbed, as kubelets would register them: name, InternalIP, capacity,
 * Ready, and the `kos-role/<purpose>=true` label the KOS manifests and the driver select on.
 */
import { arch, cpus, release, totalmem } from 'node:os';
import { DATA_PLANE_ANNOTATION, TESTBED_ANNOTATION } from '../../api/core/node-annotations.js';
import type { KosObject } from '../../api/meta.js';
import type { TestbedNode } from './testbed-layout.js';

export const ROLE_LABEL_PREFIX = 'kos-role/';

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
      // What `kubectl describe node` shows as System Info: this machine, and what runs the pods.
      nodeInfo: {
        kernelVersion: release(),
        osImage: 'kos-test testbed node (a process on one machine)',
        operatingSystem: 'linux',
        architecture: arch() === 'x64' ? 'amd64' : arch(),
        containerRuntimeVersion: 'kos-testbed://node-processes',
        kubeletVersion: '',
      },
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
