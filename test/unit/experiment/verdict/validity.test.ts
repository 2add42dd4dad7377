/**
 * Each validity status and reason from a run record changed in one way; the host's load from
 * /proc texts; and what a reason tells a person to do.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostLoad, HostSample } from '../../../../src/measure/host-load.js';
import { hostLoadOver, parseCpuPressure, parseSystemStat } from '../../../../src/measure/host-load.js';
import { sampleHost, startHostSampling } from '../../../../src/measure/host-sampler.js';
import type { RunRecord } from '../../../../src/experiment/store/run-record.js';
import type { FaultRun } from '../../../../src/measure/fault-record.js';
import type { ProcessCrash } from '../../../../src/measure/process-crash.js';
import {
  DEFAULT_VALIDITY,
  HOST_SATURATION_CODES,
  judgeValidity,
} from '../../../../src/experiment/verdict/validity.js';
import { validityOfRecord } from '../../../../src/experiment/verdict/verdict.js';
import { recordFixture } from '../../../fixtures/run-record-fixture.js';

const IDLE_HOST: HostLoad = {
  fromMs: 0,
  toMs: 20_000,
  samples: 21,
  cpus: 2,
  busyFraction: 0.4,
  stealFraction: 0,
  runQueuePerCpu: 0.8,
  pressureSomeFraction: 0.05,
};

function faultRun(recoveryMs: number | null): FaultRun {
  return {
    scenario: 'napi-kill',
    baselineP99Ms: 40,
    baselineCount: 100,
    recoveryRun: 10,
    events: [
      {
        action: 'kill',
        target: 'napi',
        index: 0,
        process: 'napi0',
        pid: 1234,
        plannedMs: 1000,
        injectedMs: 1001,
        endedMs: 1001,
        error: null,
        recoveryMs,
        recoveredAtMs: recoveryMs === null ? null : 1001 + recoveryMs,
        affected: { delayed: 3, neverFulfilled: recoveryMs === null ? 1 : 0, names: [] },
      },
    ],
    recoveryMs,
    recoveryMeasurable: true,
    note: recoveryMs === null ? '1 of 1 faults did not recover before the cruise ended' : 'recovered',
  };
}

function judged(change: (r: RunRecord) => void, host: HostLoad | null = IDLE_HOST) {
  const r = recordFixture(1);
  r.host = host;
  change(r);
  return validityOfRecord(r, DEFAULT_VALIDITY);
}

/** A crash `afterMs` into the run's cruise. */
function crash(
  dk: NonNullable<RunRecord['drive']>,
  process: string,
  pid: number,
  afterMs: number,
): ProcessCrash {
  return { process, pid, atMs: dk.cruise.window.startMs + afterMs, exit: 'SIGKILL' };
}

/** A completed run's drive keys (the fixture's run 1 always has them). */
function d(r: RunRecord): NonNullable<RunRecord['drive']> {
  if (r.drive === null) throw new Error('fixture without drive keys');
  return r.drive;
}

describe('run validity', () => {
  const cases: {
    name: string;
    change: (r: RunRecord) => void;
    host?: HostLoad | null;
    status: 'valid' | 'invalid' | 'failed';
    codes: string[];
    measured?: number;
  }[] = [
    { name: 'a clean run on an idle host is valid', change: () => undefined, status: 'valid', codes: [] },
    {
      name: 'an unsampled host is not judged',
      change: () => undefined,
      host: null,
      status: 'valid',
      codes: [],
    },
    {
      name: 'a run that failed is failed',
      change: (r) => {
        r.status = 'failed';
        r.error = 'the driver ended failed';
      },
      status: 'failed',
      codes: ['run-failed'],
    },
    {
      name: 'a run without a driver summary is failed',
      change: (r) => {
        r.drive = null;
      },
      status: 'failed',
      codes: ['run-failed'],
    },
    {
      name: 'an interrupted driver is invalid',
      change: (r) => {
        d(r).ending = 'interrupted';
      },
      status: 'invalid',
      codes: ['interrupted'],
    },
    {
      name: 'a cruise 3% under its rate is invalid',
      change: (r) => {
        d(r).cruise.achievedRatio = 0.97;
      },
      status: 'invalid',
      codes: ['rate-off-target'],
      measured: 0.97,
    },
    {
      name: 'a cruise 2% over its rate is still valid',
      change: (r) => {
        d(r).cruise.achievedRatio = 1.02;
      },
      status: 'valid',
      codes: [],
    },
    {
      name: 'more than 1% late ops is invalid',
      change: (r) => {
        d(r).cruise.ops.late = 3;
      },
      status: 'invalid',
      codes: ['late-ops'],
      measured: 3 / 200,
    },
    {
      name: 'one never-fulfilled attachment is invalid',
      change: (r) => {
        d(r).cruise.outcomes.fulfilled -= 1;
        d(r).cruise.outcomes.neverFulfilled = 1;
      },
      status: 'invalid',
      codes: ['unfulfilled'],
      measured: 1,
    },
    {
      name: 'a warm-up attachment never fulfilled is invalid, though the cruise was clean',
      change: (r) => {
        d(r).warmup.outcomes.neverFulfilled = 2;
      },
      status: 'invalid',
      codes: ['unfulfilled-outside-cruise'],
      measured: 2,
    },
    {
      name: 'deletes that failed after their retries are invalid: attachments were left behind',
      change: (r) => {
        d(r).deletes.failed = 4;
      },
      status: 'invalid',
      codes: ['deletes-failed'],
      measured: 4,
    },
    {
      name: 'a run the sweep interrupted is invalid, judged on what it measured',
      change: (r) => {
        r.status = 'interrupted';
        r.error = 'the driver ended interrupted';
        r.validity = undefined;
        d(r).ending = 'interrupted';
      },
      status: 'invalid',
      codes: ['interrupted'],
    },
    {
      name: 'missing costs are invalid',
      change: (r) => {
        r.costs = null;
        r.costsError = 'Prometheus did not answer';
      },
      status: 'invalid',
      codes: ['costs-missing'],
    },
    {
      name: 'partial costs are invalid',
      change: (r) => {
        if (r.costs === null) return;
        r.costs.partial = true;
        r.costs.noData = ['napi1'];
      },
      status: 'invalid',
      codes: ['costs-partial'],
      measured: 1,
    },
    {
      name: 'a run with a fault that recovered is invalid with a reason of its own, its recovery time measured',
      change: (r) => {
        d(r).faults = faultRun(2500);
      },
      status: 'invalid',
      codes: ['fault-injected'],
      measured: 2.5,
    },
    {
      name: 'a fault run that never recovered says so, beside its unfulfilled attachments',
      change: (r) => {
        d(r).faults = faultRun(null);
        d(r).cruise.outcomes.fulfilled -= 1;
        d(r).cruise.outcomes.neverFulfilled = 1;
      },
      status: 'invalid',
      codes: ['fault-injected', 'unfulfilled'],
    },
    {
      name: 'a testbed process that crashed in the cruise with no fault injected is invalid with a reason of its own',
      change: (r) => {
        d(r).crashes = [crash(d(r), 'napi1', 77, 5_000)];
      },
      status: 'invalid',
      codes: ['unplanned-restart'],
      measured: 1,
    },
    {
      name: 'the exit of the process an injected kill hit is the fault, not an unplanned restart',
      change: (r) => {
        const f = faultRun(2500);
        d(r).faults = f;
        d(r).crashes = [crash(d(r), 'napi0', f.events[0]?.pid ?? 0, 1_000)];
      },
      status: 'invalid',
      codes: ['fault-injected'],
      measured: 2.5,
    },
    {
      name: 'a crash after the injected kill, of another process, is unplanned beside the fault',
      change: (r) => {
        const f = faultRun(2500);
        d(r).faults = f;
        d(r).crashes = [crash(d(r), 'napi0', f.events[0]?.pid ?? 0, 1_000), crash(d(r), 'nctrl0', 99, 3_000)];
      },
      status: 'invalid',
      codes: ['fault-injected', 'unplanned-restart'],
    },
    // The fixture's drive: set-up moved to 3 s before the warm-up (0..10 s), cruise 10..30 s,
    // cool-down 30..40 s, clean-up to its end at 45 s; times here are into the cruise.
    ...(
      [
        ['the drive’s set-up', -12_000],
        ['the warm-up', -5_000],
        ['the cool-down', 25_000],
        ['the drive’s clean-up', 33_000],
      ] as const
    ).map(([part, afterMs]) => ({
      name: `a crash in ${part} with no fault injected is an unplanned restart too`,
      change: (r: RunRecord) => {
        d(r).startedMs -= 3_000;
        d(r).crashes = [crash(d(r), 'napi1', 77, afterMs)];
      },
      status: 'invalid' as const,
      codes: ['unplanned-restart'],
      measured: 1,
    })),
    {
      name: 'the exit of the process an injected kill hit is not counted in any part of the run',
      change: (r) => {
        const f = faultRun(2500);
        d(r).faults = f;
        d(r).crashes = [crash(d(r), 'napi0', f.events[0]?.pid ?? 0, 25_000)];
      },
      status: 'invalid',
      codes: ['fault-injected'],
      measured: 2.5,
    },
    {
      name: 'a clock offset known to ±6 ms is coarser than the 5 ms claimed',
      change: (r) => {
        d(r).clock.uncertaintyMs = 6;
      },
      status: 'invalid',
      codes: ['clock-uncertainty'],
      measured: 6,
    },
    {
      name: 'a wall clock stepped 9.37 s during a 20 s cruise: its cost windows no longer fit its samples',
      change: (r) => {
        d(r).clock.wallStepMs = 9370;
      },
      status: 'invalid',
      codes: ['clock-step'],
      measured: 9370,
    },
    {
      name: 'a wall clock stepped back 0.41 s during a 20 s cruise is past 2% of it',
      change: (r) => {
        d(r).clock.wallStepMs = -410;
      },
      status: 'invalid',
      codes: ['clock-step'],
      measured: -410,
    },
    {
      name: 'a wall clock stepped 0.39 s during a 20 s cruise is within 2% of it',
      change: (r) => {
        d(r).clock.wallStepMs = 390;
      },
      status: 'valid',
      codes: [],
    },
    {
      name: 'a host 97% busy is saturated',
      change: () => undefined,
      host: { ...IDLE_HOST, busyFraction: 0.97 },
      status: 'invalid',
      codes: ['host-cpu-busy'],
      measured: 0.97,
    },
    {
      name: 'a host with 10% stolen CPU is saturated',
      change: () => undefined,
      host: { ...IDLE_HOST, stealFraction: 0.1 },
      status: 'invalid',
      codes: ['host-cpu-steal'],
      measured: 0.1,
    },
    {
      name: 'a host whose tasks waited for a CPU 60% of the time is saturated',
      change: () => undefined,
      host: { ...IDLE_HOST, pressureSomeFraction: 0.6 },
      status: 'invalid',
      codes: ['host-cpu-pressure'],
      measured: 0.6,
    },
    {
      name: 'a host with 3 runnable tasks per CPU is saturated',
      change: () => undefined,
      host: { ...IDLE_HOST, runQueuePerCpu: 3 },
      status: 'invalid',
      codes: ['host-run-queue'],
      measured: 3,
    },
    {
      name: 'every failed check is a reason, in a fixed order',
      change: (r) => {
        d(r).cruise.achievedRatio = 0.5;
        d(r).cruise.ops.late = 100;
      },
      host: { ...IDLE_HOST, busyFraction: 1, pressureSomeFraction: 0.9 },
      status: 'invalid',
      codes: ['rate-off-target', 'late-ops', 'host-cpu-busy', 'host-cpu-pressure'],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const v = judged(c.change, c.host === undefined ? IDLE_HOST : c.host);
      assert.equal(v.status, c.status);
      assert.deepEqual(
        v.reasons.map((x) => x.code),
        c.codes,
      );
      if (c.measured !== undefined) assert.equal(v.reasons[0]?.measured, c.measured);
      for (const x of v.reasons) assert.ok(x.message.length > 20, `${x.code} says too little: ${x.message}`);
    });

  it('says which fault hit which process when, and that the run measured recovery', () => {
    const v = judged((r) => {
      d(r).faults = faultRun(2500);
    });
    assert.match(
      v.reasons[0]?.message ?? '',
      /fault napi-kill injected \(kill napi0 at .* s\).*valid for recovery measurement: recovered in 2\.50 s/,
    );
  });

  it('names each crashed process, how many times, how it ended and when', () => {
    const v = judged((r) => {
      d(r).crashes = [crash(d(r), 'napi1', 77, 5_000), crash(d(r), 'napi1', 78, 7_500)];
    });
    assert.match(
      v.reasons[0]?.message ?? '',
      /2 testbed process crash\(es\) in the cruise with no fault injected: napi1 2x \(SIGKILL at \+5\.0 s, SIGKILL at \+7\.5 s\)/,
    );
  });

  it('names the part of the run of each crash when not all fell in the cruise', () => {
    const v = judged((r) => {
      d(r).crashes = [crash(d(r), 'nctrl0', 77, -7_900), crash(d(r), 'napi1', 78, 5_000)];
    });
    assert.match(
      v.reasons[0]?.message ?? '',
      /2 testbed process crash\(es\) during the run with no fault injected: nctrl0 1x \(SIGKILL at warm-up \+2\.1 s\); napi1 1x \(SIGKILL at cruise \+5\.0 s\);.*rebuilt its state .* and the cruise figures include an outage/,
    );
  });

  it('tells what was saturated, by how much, and what to lower, naming the run’s levels', () => {
    const v = judged(() => undefined, { ...IDLE_HOST, busyFraction: 0.973 });
    const r = v.reasons[0];
    assert.equal(r?.code, 'host-cpu-busy');
    assert.equal(r.threshold, 0.9);
    assert.equal(r.unit, 'fraction');
    assert.match(
      r.message,
      /host CPU busy 97\.3% over the cruise \(limit 90\.0%, 2 CPUs; driver lateness p99 1\.5 ms\)/,
    );
    assert.match(
      r.message,
      /lower OPS, NNA or NCA \(now OPS 10, NNA 1, NCA 20\), or run this cell on a cluster/,
    );
    assert.ok(HOST_SATURATION_CODES.includes(r.code));
  });

  it('advises spreading the driver when a lone drive’s host is saturated, and judges no costs there', () => {
    const r = recordFixture(1);
    const v = judgeValidity({
      status: 'completed',
      error: null,
      target: 'drive',
      factors: null,
      drive: r.drive,
      host: { ...IDLE_HOST, busyFraction: 0.99 },
    });
    assert.deepEqual(
      v.reasons.map((x) => x.code),
      ['host-cpu-busy'],
    );
    assert.match(v.reasons[0]?.message ?? '', /driver.shards, drive --emit-job/);
  });

  it('uses the recorded validity rather than judging again', () => {
    const r = recordFixture(1);
    r.validity = { status: 'invalid', reasons: [] };
    assert.equal(validityOfRecord(r, DEFAULT_VALIDITY).status, 'invalid');
  });

  it('keeps the partial-costs reason to one short line when 1,800 agents lack data', () => {
    const comps = Array.from({ length: 1800 }, (_, n) => `comp${n + 1}`);
    const v = judged((r) => {
      if (r.costs === null) return;
      r.costs.partial = true;
      r.costs.noData = comps;
      r.costs.warnings = comps.map((c) => `${c}: no sample in the cruise window`);
    });
    const partial = v.reasons.find((x) => x.code === 'costs-partial');
    assert.equal(partial?.measured, 1800);
    assert.match(partial.message, /comp1, comp2, .* and 1790 more/);
    assert.match(partial.message, /1797 more warnings in costs\.json/);
    assert.ok(partial.message.length < 400, `${partial.message.length} characters`);
  });

  it('takes the spec’s thresholds: requireCosts false forgives missing costs', () => {
    const r = recordFixture(1);
    r.costs = null;
    assert.equal(validityOfRecord(r, { ...DEFAULT_VALIDITY, requireCosts: false }).status, 'valid');
  });
});

const STAT = (user: number, idle: number, steal: number, running: number): string =>
  [
    `cpu  ${user} 0 0 ${idle} 0 0 0 ${steal} 0 0`,
    `cpu0 ${user / 2} 0 0 ${idle / 2} 0 0 0 ${steal / 2} 0 0`,
    `cpu1 ${user / 2} 0 0 ${idle / 2} 0 0 0 ${steal / 2} 0 0`,
    'intr 1',
    `procs_running ${running}`,
    'procs_blocked 0',
  ].join('\n');

describe('host load from /proc', () => {
  it('parses /proc/stat and the PSI "some" total', () => {
    assert.deepEqual(parseSystemStat(STAT(100, 300, 4, 3)), {
      busyTicks: 100,
      idleTicks: 300,
      stealTicks: 4,
      procsRunning: 3,
      cpus: 2,
    });
    assert.equal(parseSystemStat('not proc'), undefined);
    assert.equal(
      parseCpuPressure(
        'some avg10=1.00 avg60=0.50 avg300=0.10 total=123456\nfull avg10=0 avg60=0 avg300=0 total=0',
      ),
      123456,
    );
    assert.equal(parseCpuPressure(null), null);
  });

  const sample = (atMs: number, busy: number, idle: number, running: number, psiUs: number): HostSample => ({
    atMs,
    busyTicks: busy,
    idleTicks: idle,
    stealTicks: 0,
    procsRunning: running,
    cpus: 2,
    pressureSomeUs: psiUs,
  });

  it('differences the samples inside the window and averages the run queue', () => {
    const samples = [
      sample(0, 0, 0, 9, 0), // before the window: left out
      sample(1000, 100, 100, 2, 0),
      sample(2000, 280, 120, 4, 500_000),
      sample(3000, 460, 140, 6, 1_000_000),
      sample(9000, 9999, 0, 9, 9_000_000), // after
    ];
    const h = hostLoadOver(samples, 1000, 3000);
    assert.deepEqual(h, {
      fromMs: 1000,
      toMs: 3000,
      samples: 3,
      cpus: 2,
      busyFraction: 360 / 400,
      stealFraction: 0,
      runQueuePerCpu: 2,
      pressureSomeFraction: 0.5,
    });
  });

  it('uses the samples around a window too short to hold two, and gives null without any', () => {
    const samples = [sample(0, 0, 0, 2, 0), sample(1000, 50, 150, 2, 0)];
    assert.equal(hostLoadOver(samples, 200, 700)?.busyFraction, 0.25);
    assert.equal(hostLoadOver([sample(0, 0, 0, 1, 0)], 200, 700), null);
  });

  it('samples through an injected reader and clock, and stops with one last sample', async () => {
    let t = 1000;
    let user = 0;
    const files: Record<string, string> = {};
    const read = (path: string): Promise<string | null> => Promise.resolve(files[path] ?? null);
    const tick: (() => void)[] = [];
    const gaps: number[] = [];
    const draws = [0.5, 0.1, 0.9];
    const sampling = startHostSampling(1000, {
      read,
      now: () => t,
      after: (ms, fn) => {
        gaps.push(ms);
        tick.push(fn);
        return () => tick.splice(0);
      },
      random: () => draws.shift() ?? 0.5,
    });
    for (let i = 0; i < 3; i++) {
      files['/proc/stat'] = STAT(user, 100 * i, 0, 2);
      t += 1000;
      user += 150;
      tick.shift()?.();
    }
    // Exponential gaps (mean 1000 ms) from the random draws: -1000 ln(1 - u).
    assert.deepEqual(
      gaps.slice(0, 3).map((g) => Math.round(g)),
      [693, 105, 2303],
    );
    files['/proc/stat'] = STAT(user, 300, 0, 2);
    const samples = await sampling.stop();
    assert.ok(samples.length >= 3, `only ${samples.length} samples`);
    assert.ok(samples.every((s) => s.pressureSomeUs === null));
    assert.equal(tick.length, 0, 'the timer was not cancelled');
    assert.deepEqual(await sampling.stop(), samples);
    assert.equal(await sampleHost({ read: () => Promise.resolve(null), now: () => 0 }), undefined);
  });
});
