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
import type { RestClient } from '../../kube/rest-client.js';
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
  truth(): WorkloadTruth & { nna: number; plannedAgents: readonly number[] };
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
    this.lastTruth = JSON.stringify(after);
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
    ref: typeof DEPLOYMENT | typeof DAEMONSET,
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
