/**
 * The embedded testbed as an experiment target: brought up at the first run's shape, scaled
 * (Testbed.scale) when NCA, NNA or NKA change, and taken down when the sweep ends.
 */
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { nodePurposesFromKube } from '../../costs/kube-node-purposes.js';
import type { RunNode } from '../../measure/cost-table.js';
import { nodeAddress } from '../../testbed/node-addresses.js';
import { FaultInjector } from '../../testbed/supervisor/fault-actions.js';
import { Testbed } from '../../testbed/supervisor/testbed.js';
import type { FaultHost } from '../faults/fault-campaign.js';
import type { ProcessCrash } from '../../measure/process-crash.js';
import { KosTestError } from '../../util/errors.js';
import { DEFAULT_COST_MODEL_PATH, loadCostModel } from '../plan/capacity/model-file.js';
import type { TestbedFacts } from '../plan/feasibility.js';
import { kubeHousekeeping, type Housekeeping } from './kube-housekeeping.js';
import { localMachine, machineCpus } from './local-machine.js';
import { runNodesOf } from './run-nodes.js';
import type { TestbedTargetSpec } from '../spec/spec-schema.js';
import type { ExperimentTarget, TargetShape } from './target.js';

export class TestbedTarget implements ExperimentTarget {
  readonly kind = 'testbed';
  readonly interfaceFilter = 'lo';
  /** Scrapes every second; new targets reach Prometheus within its 5 s discovery update. */
  readonly freshSampleTimeoutMs = 60_000;
  readonly driverMetricsHost = nodeAddress('base', 0);
  private testbed: Testbed | undefined;
  private housekeeping: Housekeeping | undefined;
  private kc: KubeConfig | undefined;
  /** Faults of the runs with a faults level: SIGKILL or SIGSTOP of the testbed's own processes, by
   * PID, or a network delay or partition at the relay in front of one. */
  private readonly injector = new FaultInjector(
    () => this.testbed?.status().processes ?? [],
    Date.now,
    (name) => this.testbed?.netFaultGate(name),
  );
  readonly faults: FaultHost = {
    inject: (req) => Promise.resolve(this.injector.inject(req)),
  };

  crashes(): ProcessCrash[] {
    return this.testbed?.crashes() ?? [];
  }

  constructor(
    private readonly spec: TestbedTargetSpec,
    private readonly dir: string,
    private readonly log: (m: string) => void = () => undefined,
    /** `kos-test testbed calibrate`'s output; missing: the built-in model. */
    private readonly costModelPath: string = DEFAULT_COST_MODEL_PATH,
    /** Relays for network delay and partition faults (a spec with such a fault level). */
    private readonly netFaults = false,
  ) {}

  get kubeconfigPath(): string {
    return join(this.dir, 'kubeconfig');
  }

  async facts(): Promise<TestbedFacts> {
    const machine = machineCpus();
    const { model, note } = await loadCostModel(this.costModelPath, machine);
    return {
      kind: 'testbed',
      ...(await localMachine()),
      agentsPerGroup: this.spec.agentsPerGroup,
      cores: machine.cores,
      costModel: model,
      costModelNote: note,
      etcd: { netcd: this.spec.netcd, ketcd: this.spec.ketcd },
    };
  }

  /** The testbed's Prometheus process (undefined before configure() or without one). */
  prometheusPid(): number | undefined {
    return this.testbed?.status().prometheus?.pid;
  }

  async configure(shape: TargetShape, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.testbed === undefined) {
      this.testbed = await Testbed.up({
        dir: this.dir,
        config: {
          nca: shape.NCA,
          nna: shape.NNA,
          nka: shape.NKA,
          netcd: this.spec.netcd,
          ketcd: this.spec.ketcd,
          agentsPerGroup: this.spec.agentsPerGroup,
          fabricDelay: this.spec.fabricDelay,
          netFaults: this.netFaults,
        },
        log: (m) => {
          this.log(`testbed: ${m}`);
        },
      });
      this.kc = new KubeConfig();
      this.kc.loadFromFile(this.kubeconfigPath);
      this.housekeeping = kubeHousekeeping(this.kc);
    } else {
      await this.testbed.scale({ nca: shape.NCA, nna: shape.NNA, nka: shape.NKA });
      // NKA changes rewrite the kubeconfig (the kube fronts' addresses).
      this.kc = new KubeConfig();
      this.kc.loadFromFile(this.kubeconfigPath);
      this.housekeeping = kubeHousekeeping(this.kc);
    }
    await this.checkComps(shape.NCA);
  }

  private async compLabelled(): Promise<string[]> {
    const core = this.kubeConfig().makeApiClient(CoreV1Api);
    const list = await core.listNode({ labelSelector: 'kos-role/comp=true' });
    return list.items.map((n) => n.metadata?.name ?? '').filter((n) => n !== '');
  }

  private async checkComps(nca: number): Promise<void> {
    const comps = (await this.compLabelled()).length;
    if (comps !== nca) {
      throw new KosTestError({
        what: 'the testbed did not reach its shape',
        value: `${comps} comp nodes, want ${nca}`,
        fix: 'see the node logs under the testbed directory',
      });
    }
  }

  private kubeConfig(): KubeConfig {
    if (this.kc === undefined) throw new Error('TestbedTarget: configure() first');
    return this.kc;
  }

  private keeper(): Housekeeping {
    if (this.housekeeping === undefined) throw new Error('TestbedTarget: configure() first');
    return this.housekeeping;
  }

  waitIdle(signal: AbortSignal): Promise<void> {
    return this.keeper().waitIdle(signal);
  }

  cleanupRun(runId: string, signal: AbortSignal): Promise<void> {
    return this.keeper().deleteRunNamespaces(runId, signal);
  }

  prometheusUrl(): string {
    const url = this.testbed?.prometheusUrl;
    if (url === undefined)
      throw new KosTestError({
        what: 'the testbed has no Prometheus',
        fix: 'bring it up with Prometheus (the default)',
      });
    return url;
  }

  async setDriverTargets(metricsUrls: readonly string[]): Promise<void> {
    await this.testbed?.setDriverTargets(metricsUrls);
  }

  nodePurposes(): Promise<Record<string, string>> {
    return nodePurposesFromKube(this.kubeconfigPath);
  }

  async runNodes(signal: AbortSignal): Promise<RunNode[]> {
    signal.throwIfAborted();
    const testbed = this.testbed;
    if (testbed === undefined) throw new Error('TestbedTarget: configure() first');
    return runNodesOf({ compLabelled: await this.compLabelled(), running: testbed.runningNodes() });
  }

  async close(): Promise<void> {
    this.injector.releaseAll();
    await this.testbed?.down();
    this.testbed = undefined;
  }
}
