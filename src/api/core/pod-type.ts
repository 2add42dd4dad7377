/**
 * Pods (`/api/v1/namespaces/<ns>/pods`): the testbed writes one per process it runs for a KOS
 * workload, as a kubelet reports it (ADR 0021); kubectl's columns and field selectors.
 */
import { humanAge } from '../human-age.js';
import type { KosObject } from '../meta.js';
import type { ResourceType } from '../resource-type.js';
import { podSchema } from './core-schemas.js';
import { ageColumn, nameColumn, text } from './core-strategy.js';
import { CORE_VERSION } from './core-types.js';
import { nodeStrategy } from './node-type.js';

type State = { waiting?: { reason?: string }; running?: unknown; terminated?: TerminatedState };
type TerminatedState = { reason?: string; exitCode?: number; signal?: number; finishedAt?: string };
type ContainerStatus = { ready?: boolean; restartCount?: number; state?: State; lastState?: State };

function containerStatuses(pod: KosObject): ContainerStatus[] {
  const list = pod.status?.containerStatuses;
  return Array.isArray(list) ? (list as ContainerStatus[]) : [];
}

function containerCount(pod: KosObject): number {
  const list = pod.spec?.containers;
  return Array.isArray(list) ? list.length : 0;
}

/** kubectl's STATUS: Terminating, a waiting or terminated container's reason, else the phase. */
export function podStatusText(pod: KosObject): string {
  if (pod.metadata.deletionTimestamp !== undefined) return 'Terminating';
  let reason = text(pod.status?.reason) || text(pod.status?.phase);
  for (const c of containerStatuses(pod)) {
    const waiting = c.state?.waiting?.reason;
    const done = c.state?.terminated;
    if (waiting !== undefined && waiting !== '') reason = waiting;
    else if (done !== undefined) {
      reason =
        done.reason ??
        (done.signal !== undefined && done.signal !== 0
          ? `Signal:${done.signal}`
          : `ExitCode:${done.exitCode ?? 0}`);
    }
  }
  return reason;
}

/** kubectl's RESTARTS: their sum, and how long ago the last one ended, e.g. `2 (40s ago)`. */
export function podRestartsText(pod: KosObject, nowMs: number): string {
  let restarts = 0;
  let last: string | undefined;
  for (const c of containerStatuses(pod)) {
    restarts += c.restartCount ?? 0;
    const finished = c.lastState?.terminated?.finishedAt;
    if (finished !== undefined && (last === undefined || finished > last)) last = finished;
  }
  return last === undefined || restarts === 0
    ? String(restarts)
    : `${restarts} (${humanAge(last, nowMs)} ago)`;
}

export const pods: ResourceType = {
  group: '',
  version: CORE_VERSION,
  resource: 'pods',
  singular: 'pod',
  kind: 'Pod',
  listKind: 'PodList',
  shortNames: ['po'],
  schema: podSchema,
  hasStatus: true,
  // A kubelet reports status; create keeps it, as for Nodes.
  strategy: nodeStrategy,
  immutableSpecFields: [],
  statusSections: [],
  selectableFields: ['spec.nodeName', 'spec.restartPolicy', 'status.phase', 'status.podIP'],
  indexedFields: ['spec.nodeName'],
  fieldValues: (o) => ({
    'metadata.name': o.metadata.name ?? '',
    'metadata.namespace': o.metadata.namespace ?? '',
    'spec.nodeName': text(o.spec?.nodeName),
    'spec.restartPolicy': text(o.spec?.restartPolicy),
    'status.phase': text(o.status?.phase),
    'status.podIP': text(o.status?.podIP),
  }),
  validate: () => [],
  columns: [
    nameColumn,
    {
      name: 'Ready',
      type: 'string',
      description: 'The aggregate readiness state of this pod for accepting traffic.',
      priority: 0,
      cell: (o) => `${containerStatuses(o).filter((c) => c.ready === true).length}/${containerCount(o)}`,
    },
    {
      name: 'Status',
      type: 'string',
      description: 'The aggregate status of the containers in this pod.',
      priority: 0,
      cell: podStatusText,
    },
    {
      name: 'Restarts',
      type: 'string',
      description:
        'The number of times the containers in this pod have been restarted and when the last restart was.',
      priority: 0,
      cell: podRestartsText,
    },
    ageColumn,
    {
      name: 'IP',
      type: 'string',
      description: 'The IP address assigned to the pod.',
      priority: 1,
      cell: (o) => text(o.status?.podIP) || '<none>',
    },
    {
      name: 'Node',
      type: 'string',
      description: 'The name of the node the pod is assigned to.',
      priority: 1,
      cell: (o) => text(o.spec?.nodeName) || '<none>',
    },
    {
      name: 'Nominated Node',
      type: 'string',
      description: 'The node the pod is nominated to run on.',
      priority: 1,
      cell: () => '<none>',
    },
    {
      name: 'Readiness Gates',
      type: 'string',
      description: 'The readiness gates of the pod.',
      priority: 1,
      cell: () => '<none>',
    },
  ],
};
