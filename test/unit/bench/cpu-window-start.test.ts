/** A driver worker's CPU window opens at its first op, not while it waits for a shared start. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { opensCpuWindow } from '../../../bench/cpu-window-start.js';
import type { DrivePhase } from '../../../src/driver/run-drive.js';

describe('when a driver worker opens its CPU window', () => {
  const START = 100_000;
  const TICK = 20;
  const cases: [
    what: string,
    phase: DrivePhase,
    nowMs: number,
    startAtMs: number | undefined,
    opens: boolean,
  ][] = [
    ['not while setting up', 'setup', START, START, false],
    ['not at the set-up’s end, 15 s before a shared start', 'warmup', START - 15_000, START, false],
    ['not two ticks before the start', 'warmup', START - 2 * TICK, START, false],
    ['at the last tick before the start', 'warmup', START - TICK, START, true],
    ['at a tick after the start (a late tick)', 'warmup', START + 5, START, true],
    ['without a shared start, as soon as it is set up', 'warmup', START - 15_000, undefined, true],
  ];
  for (const [what, phase, nowMs, startAtMs, opens] of cases)
    it(what, () => {
      assert.equal(opensCpuWindow(phase, nowMs, startAtMs, TICK), opens);
    });
});
