import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FaultEvent } from '../../../../src/measure/fault-record.js';
import { faultRows, type FaultSubject } from '../../../../src/report/model/fault-model.js';

const event = (e: Partial<FaultEvent>): FaultEvent => ({
  action: 'kill',
  target: 'napi',
  index: 0,
  process: 'napi0',
  pid: 10,
  plannedMs: 4000,
  injectedMs: 4000,
  endedMs: 4000,
  error: null,
  recoveryMs: 1500,
  recoveredAtMs: 5500,
  affected: { delayed: 3, neverFulfilled: 0, names: [] },
  ...e,
});

/** A run whose cruise started at 0 with these faults. */
const run = (events: FaultEvent[]): FaultSubject => ({
  runId: 'r',
  factors: null,
  cruiseStartMs: 0,
  faults: {
    scenario: 's',
    baselineP99Ms: 80,
    baselineCount: 40,
    recoveryRun: 10,
    events,
    recoveryMs: 1500,
    recoveryMeasurable: true,
    note: '',
  },
});

describe('the report’s fault rows', () => {
  const cases: [string, Partial<FaultEvent>, string, number][] = [
    ['a kill', {}, 'kill napi0', 0],
    [
      'a stop',
      { action: 'stop', target: 'agent-group', process: 'comp-group0', endedMs: 6000 },
      'stop comp-group0',
      2,
    ],
    [
      'a network delay, with its latency',
      { action: 'delay', delayMs: 300, endedMs: 7000 },
      'delay 300 ms napi0',
      3,
    ],
    [
      'a partition',
      { action: 'partition', target: 'netcd', process: 'netcd1', endedMs: 7000 },
      'partition netcd1',
      3,
    ],
  ];
  for (const [name, e, fault, lastedS] of cases)
    it(`names ${name} and how long it lasted`, () => {
      const [row] = faultRows([run([event(e)])]);
      assert.equal(row?.fault, fault);
      assert.equal(row.lastedS, lastedS);
      assert.equal(row.atS, 4);
    });
});
