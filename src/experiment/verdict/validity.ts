/**
 * Whether a run measured KOS (valid), measured something but a check failed (invalid), or
 * measured nothing usable (failed), with one structured reason per failed check (pure). Each
 * check is one entry of CHECKS; a new check is one more entry.
 */
import { z } from 'zod';
import { listSome } from '../../costs/node-identity.js';
import type { CostTable } from '../../measure/cost-table.js';
import type { HostLoad } from '../../measure/host-load.js';
import { runPartAt, unplannedCrashes } from '../../measure/process-crash.js';
import type { DriveKeys, RunFactors, RunStatus } from '../store/run-record.js';

export const VALIDITY_STATUSES = ['valid', 'invalid', 'failed'] as const;
export type ValidityStatus = (typeof VALIDITY_STATUSES)[number];

export const reasonSchema = z.object({
  /** Which check failed, e.g. rate-off-target, host-cpu-busy. */
  code: z.string(),
  /** What was measured and the limit it broke, in `unit`; null where there is no number. */
  measured: z.number().nullable(),
  threshold: z.number().nullable(),
  unit: z.string(),
  /** One sentence: what, by how much, and what to do about it. */
  message: z.string(),
});
export type ValidityReason = z.infer<typeof reasonSchema>;

export const validitySchema = z.object({
  status: z.enum(VALIDITY_STATUSES),
  reasons: z.array(reasonSchema),
});
export type Validity = z.infer<typeof validitySchema>;

/** The spec's `validity:` thresholds, resolved (spec-schema.ts documents each default). */
export interface ValidityThresholds {
  /** |achieved / target - 1| of the cruise rate. */
  rateTolerance: number;
  /** Late cruise ops / issued. */
  lateFraction: number;
  /** Cruise creates not fulfilled (broken + never fulfilled + create failed). */
  maxUnfulfilled: number;
  /** Require a cost table without gaps. */
  requireCosts: boolean;
  /** The latency resolution the run claims: the clock offset must be known to within it. */
  clockUncertaintyMs: number;
  host: {
    cpuBusy: number;
    cpuPressure: number;
    runQueuePerCpu: number;
    cpuSteal: number;
  };
}

export const DEFAULT_VALIDITY: ValidityThresholds = {
  rateTolerance: 0.02,
  lateFraction: 0.01,
  maxUnfulfilled: 0,
  requireCosts: true,
  // The offset probe gets ±1.5-4 ms against the testbed on 2 cores (quickstart: ±1.5-2.1 quiet):
  // 1 ms would mark every testbed run invalid for a figure its primary latency never uses.
  clockUncertaintyMs: 5,
  host: { cpuBusy: 0.9, cpuPressure: 0.2, runQueuePerCpu: 2, cpuSteal: 0.05 },
};

/** What a run is judged on: a run record's fields, or a lone `kos-test drive` run's. */
export interface ValidityInput {
  /** An interrupted run is judged on what it measured (the `interrupted` check marks it). */
  status: RunStatus;
  error: string | null;
  /** Where the load ran: decides what a saturated host's reason advises. */
  target: 'testbed' | 'cluster' | 'drive';
  factors: RunFactors | null;
  drive: DriveKeys | null;
  /** Undefined: costs are not collected here (a lone drive); null table: they were missing. */
  costs?: { table: CostTable | null; error: string | null };
  /** Undefined or null: the host was not sampled (no /proc), so nothing is judged. */
  host?: HostLoad | null;
}

type Check = (i: ValidityInput, d: DriveKeys, t: ValidityThresholds) => ValidityReason[];

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const reason = (
  code: string,
  measured: number | null,
  threshold: number | null,
  unit: string,
  message: string,
): ValidityReason => ({ code, measured, threshold, unit, message });

/** What to lower on a saturated host, naming this run's levels. */
function lowerAdvice(i: ValidityInput): string {
  if (i.target === 'cluster' || i.target === 'drive')
    return 'the driver’s own host is the bottleneck: spread the driver over machines (driver.shards, drive --emit-job) or lower OPS';
  const f = i.factors;
  const levels = f === null ? '' : ` (now OPS ${f.OPS}, NNA ${f.NNA}, NCA ${f.NCA})`;
  return `the testbed measured this machine, not KOS: lower OPS, NNA or NCA${levels}, or run this cell on a cluster (target: cluster)`;
}

const rate: Check = (_i, d, t) => {
  const r = d.cruise.achievedRatio;
  // The epsilon keeps a ratio of exactly 1 + tolerance (1.02 - 1 = 0.0200...02 in floats) inside.
  if (r === null || Math.abs(r - 1) <= t.rateTolerance + 1e-12) return [];
  return [
    reason(
      'rate-off-target',
      r,
      t.rateTolerance,
      'ratio',
      `cruise achieved ${d.cruise.achievedRate.toFixed(2)} ops/s of ${d.cruise.targetRate.toFixed(2)} (${pct(r - 1)}, tolerance ±${pct(t.rateTolerance)}): the driver could not keep its schedule; lower OPS or add driver shards`,
    ),
  ];
};

const late: Check = (_i, d, t) => {
  const o = d.cruise.ops;
  const f = o.issued > 0 ? o.late / o.issued : 0;
  if (f <= t.lateFraction) return [];
  const p99 = d.cruise.latency.lateness.p99Ms;
  return [
    reason(
      'late-ops',
      f,
      t.lateFraction,
      'fraction',
      `${o.late} of ${o.issued} cruise ops sent late (${pct(f)}, limit ${pct(t.lateFraction)}${p99 === null ? '' : `; lateness p99 ${p99.toFixed(1)} ms`}): the load was not open-loop at OPS; lower OPS or give the driver more CPU`,
    ),
  ];
};

const unfulfilled: Check = (_i, d, t) => {
  const o = d.cruise.outcomes;
  const n = o.broken + o.neverFulfilled + o.createFailed;
  if (n <= t.maxUnfulfilled) return [];
  return [
    reason(
      'unfulfilled',
      n,
      t.maxUnfulfilled,
      'attachments',
      `${n} of ${o.attempted} cruise attachments not fulfilled (never ${o.neverFulfilled}, broken ${o.broken}, create failed ${o.createFailed}; limit ${t.maxUnfulfilled}): latency percentiles leave them out, so they understate it`,
    ),
  ];
};

/** Warm-up and cool-down attachments not fulfilled: a target that broke outside the cruise. */
const unfulfilledOutside: Check = (_i, d, t) => {
  const n = (['warmup', 'cooldown'] as const).reduce((a, p) => {
    const o = d[p].outcomes;
    return a + o.broken + o.neverFulfilled + o.createFailed;
  }, 0);
  if (n <= t.maxUnfulfilled) return [];
  const attempted = d.warmup.outcomes.attempted + d.cooldown.outcomes.attempted;
  return [
    reason(
      'unfulfilled-outside-cruise',
      n,
      t.maxUnfulfilled,
      'attachments',
      `${n} of ${attempted} warm-up and cool-down attachments not fulfilled (limit ${t.maxUnfulfilled}): the target did not keep up or broke outside the cruise; see the run's log and attachments.csv`,
    ),
  ];
};

/** Deletes that failed after their retries leave attachments behind: the run did not end clean. */
const deletesFailed: Check = (_i, d) =>
  d.deletes.failed === 0
    ? []
    : [
        reason(
          'deletes-failed',
          d.deletes.failed,
          0,
          'deletes',
          `${d.deletes.failed} of ${d.deletes.attempted} deletes failed after their retries: those attachments were left in the target (the run's clean-up, or kos-test cleanup --runid ${d.runId}, removes them)`,
        ),
      ];

const interrupted: Check = (_i, d) =>
  d.ending === 'interrupted'
    ? [
        reason(
          'interrupted',
          null,
          null,
          '',
          d.stopped === undefined
            ? 'the driver was interrupted (^C): the cruise ended early'
            : `the driver stopped the run: ${d.stopped.reason}`,
        ),
      ]
    : [];

const WARNINGS_IN_REASON = 3;

const costs: Check = (i, _d, t) => {
  if (!t.requireCosts || i.costs === undefined) return [];
  const c = i.costs.table;
  if (c === null)
    return [
      reason(
        'costs-missing',
        null,
        null,
        '',
        `no cost data: ${i.costs.error ?? 'not collected'}; check Prometheus`,
      ),
    ];
  if (!c.partial && c.noData.length === 0) return [];
  // A reason is one line: at 1,800 agents the full lists run to hundreds of KB (costs.json has them).
  const why = [
    ...(c.noData.length > 0 ? [`no data from ${listSome(c.noData)}`] : []),
    ...c.warnings.slice(0, WARNINGS_IN_REASON),
    ...(c.warnings.length > WARNINGS_IN_REASON
      ? [`${c.warnings.length - WARNINGS_IN_REASON} more warnings in costs.json`]
      : []),
  ];
  return [
    reason(
      'costs-partial',
      c.noData.length,
      0,
      'nodes without data',
      `cost data incomplete${why.length > 0 ? `: ${why.join('; ')}` : ''}; per-purpose costs of this run are not comparable`,
    ),
  ];
};

const clock: Check = (_i, d, t) =>
  d.clock.uncertaintyMs <= t.clockUncertaintyMs
    ? []
    : [
        reason(
          'clock-uncertainty',
          d.clock.uncertaintyMs,
          t.clockUncertaintyMs,
          'ms',
          `clock offset known to ±${d.clock.uncertaintyMs.toFixed(3)} ms, coarser than the ${t.clockUncertaintyMs} ms latency resolution claimed: server-stamped latencies are not exact to it; raise validity.clockUncertainty or drive from nearer the apiserver`,
        ),
      ];

/**
 * A step of the driver host's wall clock during the run (NTP, a VM resumed): the run's windows
 * are in anchored monotonic time, the cost and host samples in wall time, so they no longer line
 * up. A window shifted by a fraction f of the cruise moves per-op costs by up to f, judged
 * against the rate's tolerance. Server-stamped latencies are unaffected (the testbed's stamps and
 * the driver's anchor are both monotonic).
 */
const clockStep: Check = (_i, d, t) => {
  const step = d.clock.wallStepMs;
  const cruiseMs = d.cruise.window.endMs - d.cruise.window.startMs;
  if (step === undefined || cruiseMs <= 0) return [];
  const limitMs = t.rateTolerance * cruiseMs;
  if (Math.abs(step) <= limitMs) return [];
  const sign = step > 0 ? '+' : '-';
  return [
    reason(
      'clock-step',
      step,
      limitMs,
      'ms',
      `the system clock stepped ${sign}${(Math.abs(step) / 1000).toFixed(2)} s during the run (wall against monotonic time, limit ±${(limitMs / 1000).toFixed(2)} s, ${pct(t.rateTolerance)} of the cruise): cost and host samples no longer line up with the run's windows; check the time service (NTP) or the VM, and re-do the run (--resume --retry-failed)`,
    ),
  ];
};

const host: Check = (i, d, t) => {
  const h = i.host;
  if (h === undefined || h === null) return [];
  const lateP99 = d.cruise.latency.lateness.p99Ms;
  const evidence = lateP99 === null ? '' : `; driver lateness p99 ${lateP99.toFixed(1)} ms`;
  const advice = lowerAdvice(i);
  const over = (
    code: string,
    what: string,
    measured: number,
    limit: number,
    unit: string,
    show: (x: number) => string,
  ): ValidityReason[] =>
    measured <= limit
      ? []
      : [
          reason(
            code,
            measured,
            limit,
            unit,
            `host ${what} ${show(measured)} over the cruise (limit ${show(limit)}, ${h.cpus} CPUs${evidence}): ${advice}`,
          ),
        ];
  return [
    ...over('host-cpu-busy', 'CPU busy', h.busyFraction, t.host.cpuBusy, 'fraction', pct),
    ...over(
      'host-cpu-steal',
      'CPU stolen by the hypervisor',
      h.stealFraction,
      t.host.cpuSteal,
      'fraction',
      pct,
    ),
    ...(h.pressureSomeFraction === null
      ? []
      : over(
          'host-cpu-pressure',
          'time with tasks waiting for a CPU (PSI some)',
          h.pressureSomeFraction,
          t.host.cpuPressure,
          'fraction',
          pct,
        )),
    ...over(
      'host-run-queue',
      'runnable tasks per CPU',
      h.runQueuePerCpu,
      t.host.runQueuePerCpu,
      'tasks',
      (x) => x.toFixed(2),
    ),
  ];
};

/**
 * A run with faults measured KOS under a fault, not at its load: its percentiles and counts
 * include the fault, so it is never valid as a steady-state point (ADR 0030). Its reason says
 * whether it measured recovery, which is what such a run is for.
 */
const faulted: Check = (_i, d) => {
  const f = d.faults;
  if (f === undefined) return [];
  const injected = f.events.filter((e) => e.injectedMs !== null);
  const what = injected.map((e) => {
    const at = ((e.injectedMs ?? 0) - d.cruise.window.startMs) / 1000;
    return `${e.action} ${e.process} at +${at.toFixed(1)} s`;
  });
  const hurt = f.events.reduce((n, e) => n + e.affected.delayed + e.affected.neverFulfilled, 0);
  const recovery = !f.recoveryMeasurable
    ? `recovery not measurable: ${f.note}`
    : f.recoveryMs === null
      ? `did not recover: ${f.note}`
      : `valid for recovery measurement: recovered in ${(f.recoveryMs / 1000).toFixed(2)} s to the pre-fault p99 ${(f.baselineP99Ms ?? 0).toFixed(1)} ms, ${hurt} attachments affected`;
  return [
    reason(
      'fault-injected',
      f.recoveryMs === null ? null : f.recoveryMs / 1000,
      null,
      's',
      `fault ${f.scenario} injected (${what.length === 0 ? 'none reached the process' : what.join(', ')}): steady-state figures include it; ${recovery}`,
    ),
  ];
};

/**
 * A testbed process that crashed during the run (its drive's start to its end) with no fault
 * injected into it: the supervisor restarted it (ADR 0028), so the system under test rebuilt its
 * state (watches, caches, leases) while it was measured, and in the cruise the figures include an
 * outage nobody planned (ADR 0035, ADR 0039). Its own reason, apart from fault-injected: an
 * injected kill's exit is matched by PID and not counted.
 */
const unplannedRestart: Check = (_i, d) => {
  if (d.crashes === undefined) return [];
  const crashes = unplannedCrashes(d.crashes, d.faults);
  if (crashes.length === 0) return [];
  const parts = crashes.map((c) => ({
    c,
    ...runPartAt(c.atMs, {
      startedMs: d.startedMs,
      warmup: d.warmup.window,
      cruise: d.cruise.window,
      cooldown: d.cooldown.window,
    }),
  }));
  // Cruise crashes alone keep the cruise's wording; otherwise each crash names its part of the run.
  const cruiseOnly = parts.every((p) => p.part === 'cruise');
  const byProcess = new Map<string, string[]>();
  for (const { c, part, intoMs } of parts) {
    const at = `${c.exit} at ${cruiseOnly ? '' : `${part} `}+${(intoMs / 1000).toFixed(1)} s`;
    byProcess.set(c.process, [...(byProcess.get(c.process) ?? []), at]);
  }
  const what = [...byProcess].map(([p, ats]) => `${p} ${ats.length}x (${ats.join(', ')})`);
  const inCruise = parts.some((p) => p.part === 'cruise');
  const effect = cruiseOnly
    ? 'so the figures include an outage'
    : `so the system under test rebuilt its state (watches, caches, leases) during the run${inCruise ? ' and the cruise figures include an outage' : ''}`;
  return [
    reason(
      'unplanned-restart',
      crashes.length,
      0,
      'crashes',
      `${crashes.length} testbed process crash(es) ${cruiseOnly ? 'in the cruise' : 'during the run'} with no fault injected: ${what.join('; ')}; the supervisor restarted them, ${effect}: see the process's log in the testbed's nodes/ directory and run again`,
    ),
  ];
};

/** Every check of a run that measured; in the order reasons are listed. */
export const CHECKS: readonly Check[] = [
  faulted,
  unplannedRestart,
  interrupted,
  rate,
  late,
  unfulfilled,
  unfulfilledOutside,
  deletesFailed,
  clockStep,
  host,
  costs,
  clock,
];

/** The host-saturation reason codes (a saturated host shows as one or more of these). */
export const HOST_SATURATION_CODES = [
  'host-cpu-busy',
  'host-cpu-steal',
  'host-cpu-pressure',
  'host-run-queue',
];

export function judgeValidity(i: ValidityInput, t: ValidityThresholds = DEFAULT_VALIDITY): Validity {
  const d = i.drive;
  if (i.status === 'failed' || d === null || d.ending === 'failed') {
    const why = i.error ?? (d === null ? 'no driver summary' : 'the driver ended with an error');
    return {
      status: 'failed',
      reasons: [reason('run-failed', null, null, '', `nothing usable measured: ${why}`)],
    };
  }
  const reasons = CHECKS.flatMap((c) => c(i, d, t));
  return { status: reasons.length === 0 ? 'valid' : 'invalid', reasons };
}
