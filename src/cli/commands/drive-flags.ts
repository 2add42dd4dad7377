/**
 * `kos-test drive` flags as commander gives them (strings) -> the driver's options. Each value is
 * checked here so that a bad one names its flag; the ranges are checked by the zod schema.
 */
import { parseDurationMs } from '../../util/duration.js';
import type { DriveOptionsInput } from '../../driver/drive-options.js';
import { parseShard } from '../../driver/plan/shard.js';
import { KosTestError } from '../../util/errors.js';

export interface DriveFlags {
  kubeconfig?: string;
  numNets?: string;
  topNetSize?: string;
  exponent?: string;
  bias?: string;
  singleNetwork?: boolean;
  baseAddress?: string;
  subnetSizeFactor?: string;
  numAttachments?: string;
  rate?: string;
  warmupRate?: string;
  cooldownRate?: string;
  opsDistribution?: string;
  threads?: string;
  nodeLabelSelector?: string;
  roundRobin?: boolean;
  onlyNode?: string;
  runid?: string;
  waitAfterCreate?: string;
  waitAfterDelete?: string;
  dumpOpsTimes?: boolean;
  perAttachmentCsv?: boolean;
  gzipCsv?: boolean;
  metricsPort?: string;
  metricsHost?: string;
  shard?: string;
  startAt?: string;
  grace?: string;
  seed?: string;
  out?: string;
  lateThreshold?: string;
  connections?: string;
  primeRequests?: string;
  estimate?: boolean;
  testFraction?: string;
  pingCount?: string;
  pendingWait?: string;
  stopOnPingFail?: string;
  stopOnBreak?: string;
  testCommandDir?: string;
}

function booleanFlag(flag: string, text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  if (text === 'true' || text === 'false') return text === 'true';
  throw new KosTestError({ what: `bad ${flag}`, value: JSON.stringify(text), fix: 'give true or false' });
}

export function numberFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) {
    throw new KosTestError({ what: `bad ${flag}`, value: JSON.stringify(text), fix: 'give a number' });
  }
  return v;
}

/** `15s`, `500ms`, `2m`, `250us`, or `0`. */
export function durationFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t === '0') return 0;
  const ms = parseDurationMs(t, { units: ['us', 'µs', 'ms', 's', 'm'] });
  if (ms === undefined) {
    throw new KosTestError({
      what: `bad ${flag}`,
      value: JSON.stringify(text),
      fix: 'give a duration like 500ms, 15s or 2m',
    });
  }
  return ms;
}

function startAtFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  const ms = Number.isFinite(n) ? n : Date.parse(text);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new KosTestError({
      what: 'bad --start-at',
      value: JSON.stringify(text),
      fix: 'give epoch milliseconds or an ISO time',
    });
  }
  return ms;
}

export function driveOptionsFromFlags(f: DriveFlags): DriveOptionsInput {
  const shard = f.shard === undefined ? undefined : parseShard(f.shard);
  if (f.shard !== undefined && shard === undefined) {
    throw new KosTestError({
      what: 'bad --shard',
      value: JSON.stringify(f.shard),
      fix: 'give i/N with 0 <= i < N, e.g. 0/2',
    });
  }
  if (f.opsDistribution !== undefined && f.opsDistribution !== 'steady' && f.opsDistribution !== 'poisson') {
    throw new KosTestError({
      what: 'bad --ops-distribution',
      value: JSON.stringify(f.opsDistribution),
      fix: 'use steady or poisson',
    });
  }
  const entries: [keyof DriveOptionsInput, unknown][] = [
    ['numNets', numberFlag('--num-nets', f.numNets)],
    ['topNetSize', numberFlag('--top-net-size', f.topNetSize)],
    ['exponent', numberFlag('--exponent', f.exponent)],
    ['bias', numberFlag('--bias', f.bias)],
    ['singleNetwork', f.singleNetwork],
    ['baseAddress', f.baseAddress],
    ['subnetSizeFactor', numberFlag('--subnet-size-factor', f.subnetSizeFactor)],
    ['numAttachments', numberFlag('--num-attachments', f.numAttachments)],
    ['rate', numberFlag('--rate', f.rate)],
    ['warmupRate', numberFlag('--warmup-rate', f.warmupRate)],
    ['cooldownRate', numberFlag('--cooldown-rate', f.cooldownRate)],
    ['opsDistribution', f.opsDistribution],
    ['nodeLabelSelector', f.nodeLabelSelector],
    ['roundRobin', f.roundRobin],
    ['onlyNode', f.onlyNode],
    ['runId', f.runid],
    ['waitAfterCreate', durationFlag('--wait-after-create', f.waitAfterCreate)],
    ['waitAfterDelete', durationFlag('--wait-after-delete', f.waitAfterDelete)],
    ['dumpOpsTimes', f.dumpOpsTimes],
    ['perAttachmentCsv', f.perAttachmentCsv],
    ['gzipCsv', f.gzipCsv],
    ['metricsPort', numberFlag('--metrics-port', f.metricsPort)],
    ['metricsHost', f.metricsHost],
    ['shard', shard],
    ['startAtMs', startAtFlag(f.startAt)],
    ['graceMs', durationFlag('--grace', f.grace)],
    ['seed', numberFlag('--seed', f.seed)],
    ['outDir', f.out],
    ['lateThresholdMs', durationFlag('--late-threshold', f.lateThreshold)],
    ['connections', numberFlag('--connections', f.connections)],
    ['primeRequests', numberFlag('--prime-requests', f.primeRequests)],
    ['testFraction', numberFlag('--test-fraction', f.testFraction)],
    ['pingCount', numberFlag('--ping-count', f.pingCount)],
    ['pendingWaitMs', durationFlag('--pending-wait', f.pendingWait)],
    ['stopOnPingFail', booleanFlag('--stop-on-ping-fail', f.stopOnPingFail)],
    ['stopOnBreak', booleanFlag('--stop-on-break', f.stopOnBreak)],
    ['testCommandDir', f.testCommandDir],
  ];
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}
