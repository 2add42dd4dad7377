/**
 * A real Kubernetes cluster running KOS as an experiment target, through @kubernetes/client-node:
 * NCA = exactly that many comp-capable nodes labelled kos-role/comp=true (the connection-agent
 * DaemonSet follows the label), NNA = replicas of the network-apiserver Deployment, NKA = the
 * kube-apiserver Endpoints, which kos-test checks but does not change.
 */
import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { plainHttpWithoutTls } from '../../cluster/kube-nodes.js';
import { makeTimedApiClient, type TimedClientOptions } from '../../kube/timed-api-client.js';
import { durationSeconds } from '../spec/spec-duration.js';
import { homedir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { nodePurposesFromKube } from '../../costs/kube-node-purposes.js';
import { KosTestError, toError } from '../../util/errors.js';
import type { RunNode } from '../../measure/cost-table.js';
import { clusterRunNodes, readClusterNodeFacts } from './cluster-run-nodes.js';
import type { ClusterFacts } from '../plan/feasibility.js';
import { kubeHousekeeping, type Housekeeping } from './kube-housekeeping.js';
import type { ClusterTargetSpec } from '../spec/spec-schema.js';
import type { ExperimentTarget, TargetShape } from './target.js';

const COMP_LABEL = 'kos-role/comp';
const READY_TIMEOUT_MS = 600_000;

/** Which candidates get kos-role/comp=true: the first NCA by name, so reruns pick the same nodes. */
export function compLabelPlan(
  candidates: readonly { name: string; comp: string | undefined }[],
  nca: number,
): { name: string; value: 'true' | 'false' }[] {
  const sorted = [...candidates].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return sorted
    .map((n, i) => ({ name: n.name, value: i < nca ? ('true' as const) : ('false' as const), was: n.comp }))
    .filter((c) => c.value !== c.was)
    .map(({ name, value }) => ({ name, value }));
}

/** Labels exactly `nca` of the nodes matching `candidates` kos-role/comp=true, the rest false. */
export async function applyCompLabels(
  core: CoreV1Api,
  candidates: string,
  nca: number,
  signal: AbortSignal,
): Promise<number> {
  const list = await core.listNode({ labelSelector: candidates });
  const nodes = list.items.map((n) => ({
    name: n.metadata?.name ?? '',
    comp: n.metadata?.labels?.[COMP_LABEL],
  }));
  const patchOpts = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const changes = compLabelPlan(nodes, nca);
  for (const c of changes) {
    signal.throwIfAborted();
    await core.patchNode(
      { name: c.name, body: { metadata: { labels: { [COMP_LABEL]: c.value } } } },
      patchOpts,
    );
  }
  return changes.length;
}

export class ClusterTarget implements ExperimentTarget {
  readonly kind = 'cluster';
  readonly kubeconfigPath: string;
  readonly interfaceFilter: string;
  /** Several scrape intervals of a cluster's Prometheus (10 s by default, ADR 0009). */
  readonly freshSampleTimeoutMs = 120_000;
  readonly driverMetricsHost = '127.0.0.1';
  private readonly kc = new KubeConfig();
  private shape: TargetShape | undefined;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly housekeeping: Housekeeping;
  /** Every call to the cluster: its deadline (target.requestTimeout), and what to do when it gets no answer. */
  private readonly calls: TimedClientOptions;

  constructor(
    private readonly spec: ClusterTargetSpec,
    private readonly log: (m: string) => void = () => undefined,
  ) {
    this.kubeconfigPath = spec.kubeconfig.replace(/^~(?=\/)/, homedir());
    this.interfaceFilter = spec.interfaces;
    try {
      this.kc.loadFromFile(this.kubeconfigPath);
      if (spec.context !== undefined) this.kc.setCurrentContext(spec.context);
      plainHttpWithoutTls(this.kc);
    } catch (e: unknown) {
      throw new KosTestError({
        what: 'cannot read the cluster kubeconfig',
        value: `${spec.kubeconfig}: ${toError(e).message}`,
        fix: 'correct target.kubeconfig (and target.context)',
        cause: e,
      });
    }
    this.calls = {
      timeoutMs: durationSeconds(spec.requestTimeout) * 1000,
      fix: 'check target.kubeconfig and that the cluster (or the tunnel to it) is up',
      timeoutSetting: 'target.requestTimeout',
    };
    this.core = makeTimedApiClient(this.kc, CoreV1Api, this.calls);
    this.apps = makeTimedApiClient(this.kc, AppsV1Api, this.calls);
    this.housekeeping = kubeHousekeeping(this.kc, this.calls);
  }

  private async candidates(): Promise<{ name: string; comp: string | undefined }[]> {
    const list = await this.core.listNode({ labelSelector: this.spec.compCandidates });
    return list.items.map((n) => ({ name: n.metadata?.name ?? '', comp: n.metadata?.labels?.[COMP_LABEL] }));
  }

  private async apiserverCount(): Promise<number> {
    const ep = await this.core.readNamespacedEndpoints({
      name: this.spec.kubeApiserver.endpoints,
      namespace: this.spec.kubeApiserver.namespace,
    });
    return (ep.subsets ?? []).reduce((a, s) => a + (s.addresses?.length ?? 0), 0);
  }

  async facts(): Promise<ClusterFacts> {
    const [candidates, napi, endpoints] = await Promise.all([
      this.candidates(),
      this.core.listNode({ labelSelector: 'kos-role/napi=true' }),
      this.apiserverCount(),
    ]);
    return {
      kind: 'cluster',
      compCandidates: candidates.length,
      napiNodes: napi.items.length,
      apiserverEndpoints: endpoints,
    };
  }

  async configure(shape: TargetShape, signal: AbortSignal): Promise<void> {
    const nka = await this.apiserverCount();
    if (nka !== shape.NKA)
      throw new KosTestError({
        what: 'the cluster has another number of kube-apiservers',
        value: `${nka}, the run wants NKA ${shape.NKA}`,
        fix: 'change the cluster, or the NKA levels',
      });
    const patchOpts = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    for (const c of compLabelPlan(await this.candidates(), shape.NCA)) {
      signal.throwIfAborted();
      await this.core.patchNode(
        { name: c.name, body: { metadata: { labels: { [COMP_LABEL]: c.value } } } },
        patchOpts,
      );
    }
    const { namespace, networkApiserver, connectionAgent } = this.spec.kos;
    await this.apps.patchNamespacedDeploymentScale(
      { name: networkApiserver, namespace, body: { spec: { replicas: shape.NNA } } },
      patchOpts,
    );
    this.log(`cluster: ${shape.NCA} comp nodes labelled, ${networkApiserver} scaled to ${shape.NNA}`);
    await this.waitReady(shape, signal, namespace, networkApiserver, connectionAgent);
    this.shape = shape;
  }

  private async waitReady(
    shape: TargetShape,
    signal: AbortSignal,
    namespace: string,
    deployment: string,
    daemonSet: string,
  ): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const [d, ds] = await Promise.all([
        this.apps.readNamespacedDeployment({ name: deployment, namespace }),
        this.apps.readNamespacedDaemonSet({ name: daemonSet, namespace }),
      ]);
      const napiReady = d.status?.readyReplicas ?? 0;
      const napiUpdated = d.status?.updatedReplicas ?? 0;
      const agents = ds.status?.numberReady ?? 0;
      const desired = ds.status?.desiredNumberScheduled ?? -1;
      if (
        napiReady === shape.NNA &&
        napiUpdated === shape.NNA &&
        (d.status?.replicas ?? 0) === shape.NNA &&
        agents === shape.NCA &&
        desired === shape.NCA &&
        (ds.status?.numberMisscheduled ?? 0) === 0
      )
        return;
      if (Date.now() > deadline)
        throw new KosTestError({
          what: 'the cluster did not become ready',
          value: `${deployment} ${napiReady}/${shape.NNA} ready, ${daemonSet} ${agents}/${shape.NCA} ready`,
          fix: 'check the KOS pods (kubectl -n ' + namespace + ' get pods)',
        });
      await sleep(2000, undefined, { signal });
    }
  }

  waitIdle(signal: AbortSignal): Promise<void> {
    return this.housekeeping.waitIdle(signal);
  }

  cleanupRun(runId: string, signal: AbortSignal): Promise<void> {
    return this.housekeeping.deleteRunNamespaces(runId, signal);
  }

  prometheusUrl(): string {
    return this.spec.prometheusUrl;
  }

  /** The cluster's Prometheus finds drivers itself (base nodes at 9376, annotated pods). */
  setDriverTargets(): Promise<void> {
    return Promise.resolve();
  }

  nodePurposes(): Promise<Record<string, string>> {
    return nodePurposesFromKube(this.kubeconfigPath, this.calls.timeoutMs);
  }

  async runNodes(signal: AbortSignal): Promise<RunNode[]> {
    signal.throwIfAborted();
    if (this.shape === undefined) throw new Error('ClusterTarget: configure() first');
    const { nodes, notes } = clusterRunNodes(
      await readClusterNodeFacts(this.core, this.apps, this.spec, this.shape.NNA),
    );
    for (const n of notes) this.log(`cluster: ${n}`);
    return nodes;
  }

  async close(): Promise<void> {
    // Nothing to release: the cluster stays as configured for inspection.
  }
}
