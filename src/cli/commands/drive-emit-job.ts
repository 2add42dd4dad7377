/**
 * `kos-test drive --emit-job N [image] [drive options]`: prints the manifest that runs this very
 * drive as N shards in a cluster (an Indexed Job; src/driver/shards/job-manifest.ts). The user's
 * drive options are repeated as given; run id, seed and start time are fixed here, once, so every
 * shard slices the same plan from the same instant.
 */
import type { Command } from 'commander';
import { parseDriveOptions } from '../../driver/run-drive.js';
import { checkRunId, generateRunId } from '../../driver/plan/run-id.js';
import { jobManifest, manifestYaml } from '../../driver/shards/job-manifest.js';
import { KosTestError } from '../../util/errors.js';
import { intOption } from '../options.js';
import { driveOptionsFromFlags, durationFlag, type DriveFlags } from './drive-flags.js';

export interface EmitJobFlags {
  emitJob?: string;
  jobNamespace: string;
  jobKubeconfigSecret?: string;
  jobOutClaim?: string;
  jobStartIn: string;
  jobCpu: string;
  jobMemory: string;
  jobNodeSelector?: string;
}

export const DEFAULT_IMAGE = 'kos-test:latest';

/** Set per shard by the manifest itself, or meaningless inside a pod: never repeated. */
const NOT_REPEATED = new Set([
  'shard',
  'startAt',
  'runid',
  'seed',
  'out',
  'metricsHost',
  'metricsPort',
  'kubeconfig',
  'estimate',
]);

export function addEmitJobOptions(drive: Command): Command {
  return drive
    .argument('[image]', `with --emit-job: the image with kos-test on its PATH (default ${DEFAULT_IMAGE})`)
    .option('--emit-job <n>', 'print a Kubernetes Indexed Job running this drive as N shards, and exit')
    .option('--job-namespace <ns>', 'with --emit-job: namespace of the Job', 'kos-test')
    .option(
      '--job-kubeconfig-secret <name>',
      'with --emit-job: target from this Secret (key config), not in-cluster',
    )
    .option(
      '--job-out-claim <pvc>',
      'with --emit-job: outputs on this ReadWriteMany claim (default: emptyDir)',
    )
    .option(
      '--job-start-in <d>',
      'with --emit-job: shared start this long from now (pods must be up by then)',
      '2m',
    )
    .option('--job-cpu <q>', 'with --emit-job: CPU request per shard', '1')
    .option('--job-memory <q>', 'with --emit-job: memory request and limit per shard', '1Gi')
    .option('--job-node-selector <k=v,...>', 'with --emit-job: only nodes with these labels');
}

/** The user's own options (given on the command line), as flags to repeat in every shard. */
export function repeatedArgs(cmd: Pick<Command, 'options' | 'getOptionValueSource' | 'opts'>): string[] {
  const values = cmd.opts<Record<string, unknown>>();
  const args: string[] = [];
  for (const o of cmd.options) {
    const key = o.attributeName();
    if (NOT_REPEATED.has(key) || key.startsWith('job') || key === 'emitJob') continue;
    if (cmd.getOptionValueSource(key) !== 'cli' || o.long === undefined) continue;
    const value = values[key];
    if (o.required || o.optional) args.push(o.long, String(value));
    else if (value === true) args.push(o.long);
  }
  return args;
}

/** `k=v,k2=v2` (equality only: a nodeSelector cannot say more). */
function nodeSelectorFlag(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  const pairs = text
    .split(',')
    .map((p) => /^([A-Za-z0-9][-A-Za-z0-9_./]*)=([-A-Za-z0-9_.]*)$/.exec(p.trim()));
  if (pairs.some((m) => m === null)) {
    throw new KosTestError({
      what: 'bad --job-node-selector',
      value: JSON.stringify(text),
      fix: 'give key=value pairs, e.g. kos-role/base=true',
    });
  }
  return Object.fromEntries(pairs.map((m) => [m?.[1] ?? '', m?.[2] ?? '']));
}

/**
 * The manifest text when --emit-job was given, else undefined (then the drive runs). The drive
 * options are checked here, so a bad one fails now and not in N pods.
 */
export function emitJobIfAsked(
  image: string | undefined,
  flags: DriveFlags & EmitJobFlags,
  cmd: Pick<Command, 'options' | 'getOptionValueSource' | 'opts'>,
  nowMs: number,
  random: () => number,
): string | undefined {
  if (flags.emitJob === undefined) {
    if (image !== undefined) {
      throw new KosTestError({
        what: 'unexpected argument',
        value: image,
        fix: 'an image is only given with --emit-job N',
      });
    }
    return undefined;
  }
  const shards = intOption('--emit-job', flags.emitJob, 1, 10_000);
  if (flags.shard !== undefined) {
    throw new KosTestError({
      what: '--shard with --emit-job',
      value: flags.shard,
      fix: 'the Job gives each pod its shard; drop --shard',
    });
  }
  const runId = checkRunId(flags.runid ?? generateRunId(nowMs, random));
  const seed = flags.seed === undefined ? Math.floor(random() * 0xffffffff) : Number(flags.seed);
  const startIn = durationFlag('--job-start-in', flags.jobStartIn) ?? 120_000;
  const given = driveOptionsFromFlags(flags);
  const startAtMs = given.startAtMs ?? nowMs + startIn;
  const options = parseDriveOptions({ ...given, runId, seed, startAtMs, shard: { index: 0, count: shards } });
  const nodeSelector = nodeSelectorFlag(flags.jobNodeSelector);
  return manifestYaml(
    jobManifest({
      shards,
      image: image ?? DEFAULT_IMAGE,
      runId,
      seed,
      startAtMs,
      driveArgs: repeatedArgs(cmd),
      namespace: flags.jobNamespace,
      cpu: flags.jobCpu,
      memory: flags.jobMemory,
      metricsPort: options.metricsPort === 0 ? 9376 : options.metricsPort,
      ...(flags.jobKubeconfigSecret === undefined ? {} : { kubeconfigSecret: flags.jobKubeconfigSecret }),
      ...(flags.jobOutClaim === undefined ? {} : { outClaim: flags.jobOutClaim }),
      ...(nodeSelector === undefined ? {} : { nodeSelector }),
    }),
  );
}
