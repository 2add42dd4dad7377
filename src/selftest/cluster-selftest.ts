/**
 * The selftest's cluster checks (`kos-test selftest --kubeconfig --prometheus`, and `experiment
 * run` with `selftest: true`): only what a cluster lets us know the answer to. One trial drive
 * feeds the clock-offset and the counts checks. Every source is passed in, so a test can break one.
 */
import { purposesOf, SEED_RULES } from '../cluster/classify.js';
import { connectNodeApi } from '../cluster/kube-nodes.js';
import { nodeLabelPurpose } from '../costs/node-identity.js';
import { nodePurposesFromKube } from '../costs/kube-node-purposes.js';
import type { DriveSummary } from '../driver/drive-summary.js';
import { runDrive, type DriveClock, type DriveOptionsInput } from '../driver/run-drive.js';
import { createPrometheusClient } from '../prometheus/prometheus-api.js';
import type { SelftestReport } from './check-result.js';
import { clockOffsetCheck } from './checks/clock-offset.js';
import { latenessHeadroomCheck, pacerAlone } from './checks/lateness-headroom.js';
import { nodePurposesCheck } from './checks/node-purposes.js';
import { prometheusFreshnessCheck, seriesAges } from './checks/prometheus-freshness.js';
import { trialDriveCheck } from './checks/trial-drive.js';
import { runChecks, type RunChecksOptions } from './selftest-check.js';

export interface ClusterSelftestOptions {
  kubeconfigPath: string;
  prometheusUrl: string;
  /** The OPS the experiment plans (its highest level); the trial drives a tenth of it. */
  plannedOps: number;
  /** Where the trial drive writes its outputs. */
  outDir: string;
  /** The driver's late threshold. @default 10 */
  lateThresholdMs?: number;
  /** The clock-offset check's bound. @default MAX_OFFSET_UNCERTAINTY_MS */
  maxOffsetUncertaintyMs?: number;
  /** Seconds of the trial drive. @default 30 */
  trialSeconds?: number;
  /** The trial driver's clock (a test passes a wrong one). @default the real clocks */
  driverClock?: DriveClock;
  /** The nodes' purposes as the costs see them (a test mislabels one). @default from the Node objects */
  nodePurposes?: () => Promise<Readonly<Record<string, string>>>;
  log?: (message: string) => void;
  onResult?: RunChecksOptions['onResult'];
}

/** A trial of `seconds` at `ops`: every VN one slot, fill and drain a sixth of the time each (pure). */
export function trialDriveOptions(
  ops: number,
  seconds: number,
  outDir: string,
  runId: string,
): DriveOptionsInput & { numAttachments: number } {
  const pop = Math.max(1, Math.round((ops * seconds) / 6));
  // Cruise: the rest of the time, half of its ops creates.
  const cruiseCreates = Math.max(1, Math.round((ops * (seconds - (2 * pop) / ops)) / 2));
  return {
    runId,
    numNets: pop,
    topNetSize: 1,
    numAttachments: pop + cruiseCreates,
    rate: ops,
    outDir,
    metricsPort: 0,
    waitAfterDelete: 2000,
    graceMs: 60_000,
  };
}

/** Node -> purpose from its kos-role label, else its name (seed naming rules); undefined: neither. */
async function classifiedNodes(kubeconfigPath: string): Promise<Record<string, string | undefined>> {
  const nodes = await connectNodeApi(kubeconfigPath).listNodes();
  return Object.fromEntries(
    nodes.map((n) => [n.name, nodeLabelPurpose(n.labels) ?? purposesOf(n.name, SEED_RULES)[0]]),
  );
}

export async function runClusterSelftest(opts: ClusterSelftestOptions): Promise<SelftestReport> {
  const log = opts.log ?? (() => undefined);
  const trialOps = Math.max(1, opts.plannedOps / 10);
  const runId = `selftest-trial-${Date.now().toString(36)}`;
  const trial = trialDriveOptions(trialOps, opts.trialSeconds ?? 30, opts.outDir, runId);
  let trialRun: Promise<DriveSummary> | undefined;
  const drive = (): Promise<DriveSummary> =>
    (trialRun ??= runDrive(trial, {
      kubeconfigPath: opts.kubeconfigPath,
      log,
      ...(opts.driverClock === undefined ? {} : { clock: opts.driverClock }),
    }));
  const prometheus = createPrometheusClient({ url: opts.prometheusUrl });
  const nodePurposes = opts.nodePurposes ?? (() => nodePurposesFromKube(opts.kubeconfigPath));
  const checks = [
    nodePurposesCheck({ purposes: () => classifiedNodes(opts.kubeconfigPath) }),
    prometheusFreshnessCheck({ ages: () => seriesAges(prometheus, Date.now()), nodePurposes }),
    latenessHeadroomCheck({
      ops: opts.plannedOps,
      lateThresholdMs: opts.lateThresholdMs ?? 10,
      measure: () => pacerAlone(opts.plannedOps, 5),
    }),
    clockOffsetCheck({
      measure: async () => (await drive()).clock,
      ...(opts.maxOffsetUncertaintyMs === undefined ? {} : { maxUncertaintyMs: opts.maxOffsetUncertaintyMs }),
    }),
    trialDriveCheck({ ops: trialOps, numAttachments: trial.numAttachments, drive }),
  ];
  return runChecks(checks, {
    target: 'cluster',
    ...(opts.onResult === undefined ? {} : { onResult: opts.onResult }),
  });
}
