/**
 * The Pods and Events a KOS cluster would show for the testbed's processes (pure): one Pod per
 * network-apiserver (Deployment), per comp node with a hollow agent (DaemonSet), and for nctrl
 * (the controller manager), on the node the process stands for. Phase, readiness, restart count
 * and the container's state follow the process. The testbed restarts a dead process with the
 * kubelet's back-off (ADR 0028); meanwhile its pod says CrashLoopBackOff, with the exit as the
 * container's last state.
 */
import type { KosObject } from '../../api/meta.js';
import { formatMicroTime, formatTime } from '../../api/micro-time.js';
import type { AGENT_DAEMONSET, NAPI_DEPLOYMENT } from './workload-objects.js';
import { KOS_NAMESPACE } from './workload-objects.js';
import type { ProcessState } from './restarter.js';

export const CONTROLLER_MANAGER = 'kos-controller-manager';
/** On every testbed pod: the workload it belongs to; the controller lists its pods by this key. */
export const WORKLOAD_LABEL = 'kos-test/workload';
const SIGNALS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGTERM: 15,
  SIGABRT: 6,
};

export type Workload = typeof NAPI_DEPLOYMENT | typeof AGENT_DAEMONSET | typeof CONTROLLER_MANAGER;

/** One process as a pod sees it. */
export interface PodTruth {
  workload: Workload;
  node: string;
  /** The node's loopback address: hostIP and podIP (host networking). */
  address: string;
  pid: number;
  running: boolean;
  /** Starts of a process for this pod before the current one. */
  restarts: number;
  startedAtMs: number;
  exit?: ProcessExit | undefined;
  /** How the pod's previous process ended (the container's lastState). */
  lastExit?: ProcessExit | undefined;
  /** Where the restart loop is; without it, a dead process is shown terminated. */
  state?: ProcessState | undefined;
}

export interface ProcessExit {
  code: number | null;
  signal: string | null;
  atMs: number;
}

export interface Owner {
  kind: 'Deployment' | 'DaemonSet';
  name: string;
  uid: string;
}

export function podName(t: Pick<PodTruth, 'workload' | 'node'>): string {
  return `${t.workload}-${t.node}`;
}

function condition(type: string, ok: boolean, atMs: number): Record<string, unknown> {
  return { type, status: ok ? 'True' : 'False', lastTransitionTime: formatTime(atMs) };
}

/** A Go-style exit code: the code, or 128 + the signal's number. */
function exitCode(exit: NonNullable<PodTruth['exit']>): number {
  if (exit.code !== null) return exit.code;
  return 128 + (exit.signal === null ? 0 : (SIGNALS[exit.signal] ?? 0));
}

function terminated(exit: ProcessExit, startedAt: string, pid: number): Record<string, unknown> {
  return {
    terminated: {
      exitCode: exitCode(exit),
      reason: exitCode(exit) === 0 ? 'Completed' : 'Error',
      ...(exit.signal === null ? {} : { message: `killed by ${exit.signal}` }),
      startedAt,
      finishedAt: formatTime(exit.atMs),
      containerID: `testbed://${pid}`,
    },
  };
}

/** The container's state: running, waiting (to be restarted, or starting), or terminated. */
function containerState(t: PodTruth, startedAt: string): Record<string, unknown> {
  const exit = t.running ? undefined : t.exit;
  if (exit === undefined)
    return t.running ? { running: { startedAt } } : { waiting: { reason: 'ContainerCreating' } };
  if (t.state === 'CrashLoopBackOff')
    return {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off restarting failed container ${t.workload} (pid ${t.pid})`,
      },
    };
  if (t.state === 'Restarting') return { waiting: { reason: 'ContainerCreating' } };
  return terminated(exit, startedAt, t.pid);
}

export function podStatus(t: PodTruth): Record<string, unknown> {
  const startedAt = formatTime(t.startedAtMs);
  const exit = t.running ? undefined : t.exit;
  const state = containerState(t, startedAt);
  const last = t.running ? t.lastExit : t.state === 'exited' || t.state === undefined ? undefined : t.exit;
  const lastState = last === undefined ? {} : terminated(last, startedAt, t.pid);
  const changedAt = exit?.atMs ?? t.startedAtMs;
  return {
    phase: 'Running',
    conditions: [
      condition('PodScheduled', true, t.startedAtMs),
      condition('Initialized', true, t.startedAtMs),
      condition('ContainersReady', t.running, changedAt),
      condition('Ready', t.running, changedAt),
    ],
    hostIP: t.address,
    hostIPs: [{ ip: t.address }],
    podIP: t.address,
    podIPs: [{ ip: t.address }],
    startTime: startedAt,
    qosClass: 'BestEffort',
    containerStatuses: [
      {
        name: t.workload,
        image: `kos-test/testbed-${t.workload}`,
        imageID: '',
        containerID: `testbed://${t.pid}`,
        ready: t.running,
        started: t.running,
        restartCount: t.restarts,
        state,
        lastState,
      },
    ],
  };
}

export function podObject(t: PodTruth, owner: Owner | undefined): KosObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName(t),
      namespace: KOS_NAMESPACE,
      labels: { app: t.workload, [WORKLOAD_LABEL]: t.workload },
      annotations: { 'kos-test/testbed': 'true' },
      ...(owner === undefined
        ? {}
        : {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, uid: owner.uid, controller: true },
            ],
          }),
    },
    spec: {
      nodeName: t.node,
      restartPolicy: 'Always',
      hostNetwork: true,
      schedulerName: 'default-scheduler',
      containers: [{ name: t.workload, image: `kos-test/testbed-${t.workload}` }],
    },
    status: podStatus(t),
  };
}

export interface EventSubject {
  kind: string;
  name: string;
  namespace: string;
  uid?: string | undefined;
  apiVersion: string;
}

/** A core/v1 Event as a controller or kubelet records one; `seq` keeps names unique. */
export function eventObject(
  subject: EventSubject,
  e: { type: 'Normal' | 'Warning'; reason: string; message: string; host?: string },
  nowMs: number,
  seq: number,
): KosObject {
  const at = formatTime(nowMs);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${subject.name}.${nowMs.toString(16)}${seq.toString(16).padStart(4, '0')}`,
      namespace: subject.namespace,
    },
    involvedObject: {
      kind: subject.kind,
      namespace: subject.namespace,
      name: subject.name,
      apiVersion: subject.apiVersion,
      ...(subject.uid === undefined ? {} : { uid: subject.uid }),
    },
    type: e.type,
    reason: e.reason,
    message: e.message,
    source: { component: 'kos-testbed', ...(e.host === undefined ? {} : { host: e.host }) },
    firstTimestamp: at,
    lastTimestamp: at,
    eventTime: formatMicroTime(nowMs * 1000),
    count: 1,
    reportingComponent: 'kos-testbed',
    reportingInstance: 'kos-testbed',
  } as unknown as KosObject;
}

/** What changed for one pod between two passes, as events on it (pure). */
export function podChangeEvents(
  before: PodTruth | undefined,
  now: PodTruth,
): { type: 'Normal' | 'Warning'; reason: string; message: string }[] {
  const out: { type: 'Normal' | 'Warning'; reason: string; message: string }[] = [];
  const restarted = before !== undefined && now.restarts > before.restarts && now.running;
  // A restart faster than the pass interval hides the death from `now`: its exit is lastExit.
  const died = now.running
    ? restarted && before.running
      ? { pid: before.pid, exit: now.lastExit }
      : undefined
    : (before === undefined || before.running || before.pid !== now.pid) && now.exit !== undefined
      ? { pid: now.pid, exit: now.exit }
      : undefined;
  if (died?.exit !== undefined) {
    const how = died.exit.signal ?? `exit code ${String(died.exit.code)}`;
    out.push({
      type: 'Warning',
      reason: 'ProcessExited',
      message: `Container ${now.workload} (pid ${died.pid}) exited (${how})`,
    });
    if (now.state === 'CrashLoopBackOff')
      out.push({
        type: 'Warning',
        reason: 'BackOff',
        message: `Back-off restarting failed container ${now.workload}`,
      });
  }
  if (restarted)
    out.push({ type: 'Normal', reason: 'Started', message: `Started container ${now.workload}` });
  return out;
}
