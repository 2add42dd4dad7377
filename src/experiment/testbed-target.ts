/**
 * The embedded testbed as an experiment target: brought up at the first run's shape, scaled
 * (Testbed.scale) when NCA, NNA or NKA change, and taken down when the sweep ends.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { nodePurposesFromKube } from '../costs/kube-node-purposes.js';
import { nodeAddress } from '../testbed/node-addresses.js';
import { Testbed } from '../testbed/supervisor/testbed.js';
import { KosTestError } from '../util/errors.js';
import type { TestbedFacts } from './feasibility.js';
import { kubeHousekeeping, type Housekeeping } from './kube-housekeeping.js';
import { localMachine } from './local-machine.js';
import type { TestbedTargetSpec } from './spec-schema.js';
import type { ExperimentTarget, TargetShape } from './target.js';
import { recordTestbedPids, stopTestbedLeftovers } from './testbed-leftovers.js';

export class TestbedTarget implements ExperimentTarget {
  readonly kind = 'testbed';
  readonly interfaceFilter = 'lo';
  readonly driverMetricsHost = nodeAddress('base', 0);
  private testbed: Testbed | undefined;
  private housekeeping: Housekeeping | undefined;
  private kc: KubeConfig | undefined;

  constructor(
    private readonly spec: TestbedTargetSpec,
    private readonly dir: string,
    private readonly log: (m: string) => void = () => undefined,
  ) {}

  get kubeconfigPath(): string {
    return join(this.dir, 'kubeconfig');
  }

  private get pidFile(): string {
    return `${this.dir}.pids.json`;
  }

  async facts(): Promise<TestbedFacts> {
    return { kind: 'testbed', ...(await localMachine()), agentsPerGroup: this.spec.agentsPerGroup };
  }

  async configure(shape: TargetShape, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.testbed === undefined) {
      const stopped = await stopTestbedLeftovers(this.pidFile, this.dir);
      if (stopped.length > 0) this.log(`stopped ${stopped.length} process(es) left by an earlier runner`);
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
    const status = this.testbed.status();
    await recordTestbedPids(this.pidFile, [
      ...status.processes.map((p) => p.pid),
      ...(status.prometheus === undefined ? [] : [status.prometheus.pid]),
    ]);
    await this.checkComps(shape.NCA);
  }

  private async checkComps(nca: number): Promise<void> {
    const core = this.kubeConfig().makeApiClient(CoreV1Api);
    const comps = (await core.listNode({ labelSelector: 'kos-role/comp=true' })).items.length;
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

  async close(): Promise<void> {
    await this.testbed?.down();
    this.testbed = undefined;
    await rm(this.pidFile, { force: true });
  }
}
