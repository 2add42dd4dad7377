/**
 * The testbed's stand-in for kube-controller-manager's Deployment and DaemonSet controllers,
 * for its own components only (ADR 0017): the network-apiserver Deployment's spec.replicas is
 * the testbed's NNA, the connection-agent DaemonSet runs a hollow agent on exactly the comp
 * Nodes its nodeSelector picks, and both objects' status says what really runs and is ready.
 * Watches only wake it; each pass reads the objects afresh, while no scale is in progress. Idle,
 * it sends nothing: the costs the experiment measures on kapi and ketcd are not its.
 */
import type { KosObject } from '../../api/meta.js';
import { isAlreadyExists, isNotFound } from '../../kube/kube-api-error.js';
import { Reflector } from '../../kube/reflector.js';
import type { ResourceRef } from '../../kube/api-path.js';
import type { RestClient } from '../../kube/rest-client.js';
import {
  eventObject,
  podChangeEvents,
  podName,
  podObject,
  WORKLOAD_LABEL,
  type EventSubject,
  type Owner,
  type PodTruth,
} from './pod-objects.js';
import { sameJson } from '../../api/omit-empty.js';
import { replicasOf } from '../../api/apps/deployment-type.js';
import {
  AGENT_DAEMONSET,
  APISERVER_ENDPOINTS,
  COMP_LABEL,
  KOS_NAMESPACE,
  NAPI_DEPLOYMENT,
  agentDaemonSet,
  apiserverEndpoints,
  daemonSetStatus,
  deploymentStatus,
  napiDeployment,
  nodeSelectorOf,
  selectedComps,
  type WorkloadTruth,
} from './workload-objects.js';

/** What the controller needs of the testbed. */
export interface WorkloadHost {
  /** Runs `fn` while no scale or other pass runs (they take turns). */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** What runs and is ready, and what the testbed means to run (NNA, the comp nodes with agents). */
  truth(): WorkloadTruth & { nna: number; plannedAgents: readonly number[]; pods: readonly PodTruth[] };
  /** Inside exclusive(): runs `nna` network-apiservers and agents on exactly these comp nodes. */
  follow(want: { nna: number; agentNodes: number[] }): Promise<void>;
}

export interface WorkloadControllerOptions {
  client: RestClient;
  host: WorkloadHost;
  /**
   * How often the testbed's processes are checked (in memory) for a change no watch reports, such
   * as an exit; only a change costs a pass. Idle, the controller sends no request. @default 1000
   */
  resyncMs?: number;
  log: (message: string) => void;
}

const APPS = { group: 'apps', version: 'v1', namespace: KOS_NAMESPACE } as const;
const DEPLOYMENT = { ...APPS, resource: 'deployments', name: NAPI_DEPLOYMENT };
const DAEMONSET = { ...APPS, resource: 'daemonsets', name: AGENT_DAEMONSET };
const NODES = { group: '', version: 'v1', resource: 'nodes' };
const ENDPOINTS = {
  group: '',
  version: 'v1',
  resource: 'endpoints',
  namespace: APISERVER_ENDPOINTS.namespace,
};
const NAPI_LIMITS = { min: 1, max: 9 };

export class WorkloadController {
  private readonly reflectors: Reflector[];
  private dirty = true;
  private wake: (() => void) | undefined;
  /** Aborted by stop(). */
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastRefusal = '';
  /** The testbed's state the last pass wrote status from. */
  private lastTruth = '';
  /** Each pod's process as the last pass saw it, and NNA then: what events are told against. */
  private readonly lastPods = new Map<string, PodTruth>();
  private lastNna: number | undefined;
  private eventSeq = 0;

  constructor(private readonly opts: WorkloadControllerOptions) {
    const kick = (): void => {
      this.kick();
    };
    const handler = { onAdd: kick, onUpdate: kick, onDelete: kick };
    const log = (m: string): void => {
      if (!this.isStopped()) opts.log(`workloads: ${m}`);
    };
    this.reflectors = [
      new Reflector({ client: opts.client, ref: NODES, labelSelector: COMP_LABEL, handler, log }),
      new Reflector({ client: opts.client, ref: { ...APPS, resource: 'deployments' }, handler, log }),
      new Reflector({ client: opts.client, ref: { ...APPS, resource: 'daemonsets' }, handler, log }),
    ];
  }

  /** Creates the namespaces and objects (the Deployment at the testbed's NNA), then starts following them. */
  async start(frontUrls: readonly string[]): Promise<void> {
    const c = this.opts.client;
    for (const name of [KOS_NAMESPACE, APISERVER_ENDPOINTS.namespace]) {
      await createOrKeep(() =>
        c.create(NODES_NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
      );
    }
    const nna = this.opts.host.truth().nna;
    await createOrKeep(() => c.create(DEPLOYMENT, napiDeployment(nna)));
    // A reused state directory keeps ketcd: the testbed's own shape wins at start.
    await this.setReplicas(nna);
    await createOrKeep(() => c.create(DAEMONSET, agentDaemonSet()));
    await this.setApiservers(frontUrls);
    await Promise.all(this.reflectors.map((r) => r.start()));
    // Statuses are true before up() returns.
    await this.opts.host.exclusive(() => this.pass());
    this.dirty = false;
    this.timer = setInterval(() => {
      if (JSON.stringify(this.opts.host.truth()) !== this.lastTruth) this.kick();
    }, this.opts.resyncMs ?? 1000);
    this.timer.unref();
    this.loop = this.run();
  }

  /** The testbed's own scale() sets NNA directly and records it here, so no pass undoes it. */
  async setReplicas(nna: number): Promise<void> {
    await this.opts.client.patch({ ...DEPLOYMENT, subresource: undefined }, { spec: { replicas: nna } });
  }

  /** `default/kubernetes` lists the kube fronts, as kube-apiserver's endpoint reconciler keeps it. */
  async setApiservers(frontUrls: readonly string[]): Promise<void> {
    const body = apiserverEndpoints(frontUrls);
    const ref = { ...ENDPOINTS, name: APISERVER_ENDPOINTS.name };
    try {
      await this.opts.client.update(ref, body);
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
      await createOrKeep(() => this.opts.client.create(ref, body));
    }
  }

  private isStopped(): boolean {
    return this.abort.signal.aborted;
  }

  kick(): void {
    this.dirty = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    if (this.timer !== undefined) clearInterval(this.timer);
    this.wake?.();
    await this.loop;
    await Promise.all(this.reflectors.map((r) => r.stop()));
  }

  private async run(): Promise<void> {
    while (!this.isStopped()) {
      if (!this.dirty) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
        continue;
      }
      this.dirty = false;
      try {
        await this.opts.host.exclusive(() => this.pass());
      } catch (e: unknown) {
        // The timer tries again in a second.
        this.lastTruth = '';
        if (!this.isStopped()) this.opts.log(`workloads: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  /** One level-triggered pass: read, say what is observed, converge, say what now runs. */
  private async pass(): Promise<void> {
    if (this.isStopped()) return;
    const c = this.opts.client;
    const [deployment, daemonSet, nodes] = await Promise.all([
      getOrNone(() => c.get(DEPLOYMENT)),
      getOrNone(() => c.get(DAEMONSET)),
      c.listAll(NODES, { labelSelector: COMP_LABEL }),
    ]);
    const host = this.opts.host;
    const before = host.truth();
    const wantNna =
      deployment === undefined ? before.nna : this.napiTarget(replicasOf(deployment), before.nna);
    const wantAgents =
      daemonSet === undefined
        ? [...before.plannedAgents]
        : selectedComps(nodes.items, nodeSelectorOf(daemonSet));
    // Against the plan, not what runs: a process that died stays dead (there is no kubelet), and
    // its absence shows in status rather than in a pass every second.
    const changed = wantNna !== before.nna || !sameJson(wantAgents, [...before.plannedAgents]);
    if (changed) {
      await this.writeStatuses(deployment, daemonSet, wantAgents, before);
      await host.follow({ nna: wantNna, agentNodes: wantAgents });
    }
    const after = host.truth();
    await this.writeStatuses(deployment, daemonSet, wantAgents, after);
    if (deployment !== undefined && this.lastNna !== undefined && after.nna !== this.lastNna) {
      await this.event(subjectOf(deployment), {
        type: 'Normal',
        reason: 'ScalingReplicaSet',
        message: `Scaled ${after.nna > this.lastNna ? 'up' : 'down'} ${NAPI_DEPLOYMENT} from ${this.lastNna} to ${after.nna} replicas`,
      });
    }
    this.lastNna = after.nna;
    await this.syncPods(deployment, daemonSet, after.pods);
    this.lastTruth = JSON.stringify(after);
  }

  /** Pods exactly for the processes that run or ran (created, status kept true, the rest deleted). */
  private async syncPods(
    deployment: KosObject | undefined,
    daemonSet: KosObject | undefined,
    truths: readonly PodTruth[],
  ): Promise<void> {
    const c = this.opts.client;
    const existing = await c.listAll(PODS, { labelSelector: WORKLOAD_LABEL });
    const have = new Map(existing.items.map((p) => [p.metadata.name ?? '', p]));
    const ownerOf = (workload: string | undefined): KosObject | undefined =>
      workload === NAPI_DEPLOYMENT ? deployment : workload === AGENT_DAEMONSET ? daemonSet : undefined;
    const wanted = new Set<string>();
    await inBatches(truths, async (t) => {
      const name = podName(t);
      wanted.add(name);
      const owner = ownerOf(t.workload);
      const want = podObject(t, owner === undefined ? undefined : ownerRef(owner));
      const existingPod = have.get(name);
      if (existingPod !== undefined)
        await this.writeStatus({ ...PODS, name }, existingPod, want.status ?? {});
      const pod: KosObject = existingPod ?? (await c.create(PODS, want));
      if (existingPod === undefined && owner !== undefined)
        await this.event(subjectOf(owner), {
          type: 'Normal',
          reason: 'SuccessfulCreate',
          message: `Created pod: ${name}`,
        });
      for (const e of podChangeEvents(this.lastPods.get(name), t))
        await this.event(subjectOf(pod), { ...e, host: t.node });
      this.lastPods.set(name, t);
    });
    const gone = [...have].filter(([name]) => !wanted.has(name));
    await inBatches(gone, async ([name, pod]) => {
      await c.delete({ ...PODS, name }).catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
      this.lastPods.delete(name);
      const owner = ownerOf(pod.metadata.labels?.[WORKLOAD_LABEL]);
      if (owner !== undefined)
        await this.event(subjectOf(owner), {
          type: 'Normal',
          reason: 'SuccessfulDelete',
          message: `Deleted pod: ${name}`,
        });
    });
  }

  private async event(subject: EventSubject, e: Parameters<typeof eventObject>[1]): Promise<void> {
    const obj = eventObject(subject, e, Date.now(), this.eventSeq++);
    await this.opts.client.create(
      { group: '', version: 'v1', resource: 'events', namespace: subject.namespace },
      obj,
    );
  }

  /** The testbed runs 1..9 network-apiservers; other counts are refused (logged once) and not followed. */
  private napiTarget(replicas: number, current: number): number {
    if (replicas >= NAPI_LIMITS.min && replicas <= NAPI_LIMITS.max) {
      this.lastRefusal = '';
      return replicas;
    }
    const refusal = `${NAPI_DEPLOYMENT} replicas ${replicas} is outside the testbed's ${NAPI_LIMITS.min}..${NAPI_LIMITS.max}; keeping ${current}`;
    if (refusal !== this.lastRefusal) this.opts.log(`workloads: ${refusal}`);
    this.lastRefusal = refusal;
    return current;
  }

  private async writeStatuses(
    deployment: KosObject | undefined,
    daemonSet: KosObject | undefined,
    wantAgents: readonly number[],
    truth: WorkloadTruth,
  ): Promise<void> {
    const writes: Promise<unknown>[] = [];
    if (deployment !== undefined)
      writes.push(
        this.writeStatus(
          DEPLOYMENT,
          deployment,
          deploymentStatus(deployment.metadata.generation ?? 1, truth),
        ),
      );
    if (daemonSet !== undefined)
      writes.push(
        this.writeStatus(
          DAEMONSET,
          daemonSet,
          daemonSetStatus(daemonSet.metadata.generation ?? 1, wantAgents, truth),
        ),
      );
    await Promise.all(writes);
  }

  private async writeStatus(
    ref: ResourceRef,
    obj: KosObject,
    status: Record<string, unknown>,
  ): Promise<void> {
    if (sameJson(obj.status ?? {}, status)) return;
    // Status replaces status: a merge patch would keep a count that dropped to zero (omitted).
    const json = [{ op: 'add', path: '/status', value: status }];
    await this.opts.client.patch({ ...ref, subresource: 'status' }, json, 'json');
    obj.status = status;
  }
}

const NODES_NS = { group: '', version: 'v1', resource: 'namespaces' };
const PODS = { group: '', version: 'v1', resource: 'pods', namespace: KOS_NAMESPACE };
/** Pod writes in flight at once: thousands of agents' pods are written in a few seconds, not one by one. */
const POD_BATCH = 32;

async function inBatches<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += POD_BATCH) await Promise.all(items.slice(i, i + POD_BATCH).map(fn));
}

function subjectOf(obj: KosObject): EventSubject {
  return {
    kind: obj.kind,
    name: obj.metadata.name ?? '',
    namespace: obj.metadata.namespace ?? KOS_NAMESPACE,
    uid: obj.metadata.uid,
    apiVersion: obj.apiVersion,
  };
}

function ownerRef(obj: KosObject): Owner {
  return {
    kind: obj.kind === 'DaemonSet' ? 'DaemonSet' : 'Deployment',
    name: obj.metadata.name ?? '',
    uid: obj.metadata.uid ?? '',
  };
}

async function createOrKeep(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (e: unknown) {
    if (!isAlreadyExists(e)) throw e;
  }
}

async function getOrNone(get: () => Promise<KosObject>): Promise<KosObject | undefined> {
  try {
    return await get();
  } catch (e: unknown) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}
