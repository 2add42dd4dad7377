/**
 * Which of a run's testbed crashes no injected kill explains, which crashes are the run's, and in
 * which part of the run each fell (process-crash.ts), case by case.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FaultEvent, FaultRun } from '../../../src/measure/fault-record.js';
import {
  runPartAt,
  unplannedCrashes,
  withCrashes,
  type ProcessCrash,
  type RunPart,
} from '../../../src/measure/process-crash.js';

const crash = (process: string, pid: number, atMs: number): ProcessCrash => ({
  process,
  pid,
  atMs,
  exit: 'SIGKILL',
});

function faults(...events: Pick<FaultEvent, 'action' | 'pid' | 'injectedMs'>[]): FaultRun {
  return {
    scenario: 's',
    baselineP99Ms: 30,
    baselineCount: 100,
    recoveryRun: 10,
    events: events.map((e) => ({
      ...e,
      target: 'napi',
      index: 1,
      process: e.pid === 0 ? '' : 'napi1',
      plannedMs: e.injectedMs ?? 20_000,
      endedMs: e.injectedMs,
      error: e.injectedMs === null ? 'no such process' : null,
      recoveryMs: null,
      recoveredAtMs: null,
      affected: { delayed: 0, neverFulfilled: 0, names: [] },
    })),
    recoveryMs: null,
    recoveryMeasurable: false,
    note: '',
  };
}

describe('unplanned crashes of a run', () => {
  const cases: { name: string; crashes: ProcessCrash[]; faults?: FaultRun; unplanned: number[] }[] = [
    { name: 'no crash: none', crashes: [], unplanned: [] },
    { name: 'a crash in the window with no fault', crashes: [crash('napi1', 11, 20_000)], unplanned: [11] },
    {
      name: 'crashes in every part of the run count alike',
      crashes: [crash('napi1', 11, 1_000), crash('napi1', 12, 20_000), crash('nctrl0', 13, 90_000)],
      unplanned: [11, 12, 13],
    },
    {
      name: 'the exit of the PID an injected kill signalled is planned',
      crashes: [crash('napi1', 11, 20_001)],
      faults: faults({ action: 'kill', pid: 11, injectedMs: 20_000 }),
      unplanned: [],
    },
    {
      name: 'the killed process crashing again after its restart (a new PID) is unplanned',
      crashes: [crash('napi1', 11, 20_001), crash('napi1', 21, 30_000)],
      faults: faults({ action: 'kill', pid: 11, injectedMs: 20_000 }),
      unplanned: [21],
    },
    {
      name: 'a stopped process that exits was not killed by the fault',
      crashes: [crash('napi1', 11, 20_001)],
      faults: faults({ action: 'stop', pid: 11, injectedMs: 20_000 }),
      unplanned: [11],
    },
    {
      name: 'a kill that was never injected explains nothing',
      crashes: [crash('napi1', 11, 20_001)],
      faults: faults({ action: 'kill', pid: 0, injectedMs: null }),
      unplanned: [11],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(
        unplannedCrashes(c.crashes, c.faults).map((x) => x.pid),
        c.unplanned,
      );
    });
});

describe('the crashes of a run', () => {
  const run = { startedMs: 10_000, endedMs: 70_000 };
  it('are those from the drive’s start to its end, both kept: one before it (the previous run’s set-up) is not its own', () => {
    const all = [9_999, 10_000, 40_000, 70_000, 70_001].map((at, i) => crash('napi1', 11 + i, at));
    assert.deepEqual(
      withCrashes(run, all).crashes?.map((c) => c.atMs),
      [10_000, 40_000, 70_000],
    );
  });
  it('are not known when the target cannot tell', () => {
    assert.equal('crashes' in withCrashes(run, undefined), false);
  });
});

describe('the part of the run a crash fell in', () => {
  // Set-up 10..12 s, warm-up 12..20 s, cruise 20..50 s, cool-down 50..60 s, clean-up after.
  const run = {
    startedMs: 10_000,
    warmup: { startMs: 12_000, endMs: 20_000 },
    cruise: { startMs: 20_000, endMs: 50_000 },
    cooldown: { startMs: 50_000, endMs: 60_000 },
  };
  const cases: [atMs: number, part: RunPart, intoMs: number][] = [
    [10_000, 'set-up', 0],
    [11_500, 'set-up', 1_500],
    [12_000, 'warm-up', 0],
    [19_999, 'warm-up', 7_999],
    [20_000, 'cruise', 0],
    [50_000, 'cruise', 30_000],
    [50_001, 'cool-down', 1],
    [60_000, 'cool-down', 10_000],
    [60_500, 'clean-up', 500],
  ];
  for (const [atMs, part, intoMs] of cases)
    it(`${atMs} ms is ${part} +${intoMs} ms`, () => {
      assert.deepEqual(runPartAt(atMs, run), { part, intoMs });
    });
});
