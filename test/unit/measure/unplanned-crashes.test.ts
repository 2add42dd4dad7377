/** Which of a run's testbed crashes no injected kill explains (process-crash.ts), case by case. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FaultEvent, FaultRun } from '../../../src/measure/fault-record.js';
import { unplannedCrashes, type ProcessCrash } from '../../../src/measure/process-crash.js';

const WINDOW = { startMs: 10_000, endMs: 70_000 };

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
      name: 'crashes before and after the window are outside it (its ends are inside)',
      crashes: [
        crash('napi1', 11, 9_999),
        crash('napi1', 12, 10_000),
        crash('napi1', 13, 70_000),
        crash('napi1', 14, 70_001),
      ],
      unplanned: [12, 13],
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
        unplannedCrashes(c.crashes, c.faults, WINDOW).map((x) => x.pid),
        c.unplanned,
      );
    });
});
