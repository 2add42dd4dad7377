/**
 * Where a sweep's runs happen, behind one interface: the embedded testbed (testbed-target.ts)
 * or a real cluster running KOS (cluster-target.ts). The runner only configures, waits, and
 * cleans up through this; the driver and cost collection get the URLs it hands out.
 */
import type { RunNode } from '../../measure/cost-table.js';
import type { FaultHost } from '../faults/fault-campaign.js';
import type { ProcessCrash } from '../../measure/process-crash.js';
import type { TargetFacts } from '../plan/feasibility.js';

export interface TargetShape {
  NCA: number;
  NNA: number;
  NKA: number;
}

export interface ExperimentTarget {
  readonly kind: 'testbed' | 'cluster';
  /** What the feasibility check needs (measured without changing anything). */
  facts(): Promise<TargetFacts>;
  /** Brings the target to this shape and waits until every component is ready. */
  configure(shape: TargetShape, signal: AbortSignal): Promise<void>;
  /** Waits until no driver namespace and no NetworkAttachment is left (a quiet start). */
  waitIdle(signal: AbortSignal): Promise<void>;
  /** Deletes the run's namespace (label app=attachment-tput-driver,runid=<id>) and waits until gone. */
  cleanupRun(runId: string, signal: AbortSignal): Promise<void>;
  /** The kubeconfig the driver uses (current context: the kube-apiserver or kube front). */
  readonly kubeconfigPath: string;
  /** The Prometheus that holds the per-node cost series. */
  prometheusUrl(): string;
  /** RE2 regex of the network interfaces that carry node traffic (testbed: lo). */
  readonly interfaceFilter: string;
  /**
   * Where a run's drivers serve /metrics: on the testbed base0's address, which its Prometheus
   * scrapes; on a cluster 127.0.0.1 (its Prometheus finds drivers on base nodes and in pods).
   */
  readonly driverMetricsHost: string;
  /** Makes the target's Prometheus scrape these drivers' /metrics while a run drives ([]: none). */
  setDriverTargets(metricsUrls: readonly string[]): Promise<void>;
  /** Node name -> purpose, from the kos-role labels (for the cost table). */
  nodePurposes(): Promise<Record<string, string>>;
  /** The nodes of the run just configured (run-nodes.ts): only these are costed and flagged. */
  runNodes(signal: AbortSignal): Promise<RunNode[]>;
  /** How long to wait, after a reconfiguration, for Prometheus to hold a fresh sample of every run node. */
  readonly freshSampleTimeoutMs: number;
  /** Where a run's faults are injected (ADR 0030); absent: this target takes none (a cluster). */
  readonly faults?: FaultHost;
  /** The target's processes that crashed, oldest first (ADR 0035); absent: it cannot tell (a cluster). */
  crashes?(): ProcessCrash[];
  /** Releases what the target holds (the testbed goes down). Idempotent. */
  close(): Promise<void>;
}
