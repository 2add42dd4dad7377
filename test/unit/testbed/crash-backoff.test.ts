import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CrashBackoff, TESTBED_CRASH_BACKOFF } from '../../../src/testbed/supervisor/crash-backoff.js';
import { processState, Restarter } from '../../../src/testbed/supervisor/restarter.js';
import { FakeClock } from '../../support/fake-clock.js';

describe('crash back-off (the kubelet policy, testbed values)', () => {
  const cases: [string, number[], number[]][] = [
    [
      'doubles on quick crashes, up to the cap',
      [100, 100, 100, 100, 100, 100],
      [500, 1000, 2000, 4000, 8000, 8000],
    ],
    ['starts over after a stable run', [100, 100, 16_000, 100], [500, 1000, 500, 1000]],
    ['a run just short of stable does not reset it', [100, 15_999], [500, 1000]],
  ];
  for (const [what, ran, delays] of cases) {
    it(what, () => {
      const b = new CrashBackoff();
      assert.deepEqual(
        ran.map((ms) => b.delayAfter(ms)),
        delays,
      );
    });
  }

  it('uses 0.5 s doubling to 8 s, reset after 16 s (ADR 0028)', () => {
    assert.deepEqual(TESTBED_CRASH_BACKOFF, { initialMs: 500, maxMs: 8000, stableAfterMs: 16_000 });
  });
});

describe('restarter', () => {
  const make = (clock: FakeClock, logs: string[] = []): Restarter =>
    new Restarter({ now: () => clock.nowMs, timers: clock, log: (m) => logs.push(m) });

  it('restarts a crashed process after its back-off, in CrashLoopBackOff meanwhile, and counts it', async () => {
    const clock = new FakeClock();
    const r = make(clock);
    let starts = 0;
    r.crashed('napi1', 60_000, () => {
      starts++;
      return Promise.resolve();
    });
    assert.equal(processState(r.state('napi1'), false), 'CrashLoopBackOff');
    assert.deepEqual(r.state('napi1').backoff, { untilMs: 500, delayMs: 500 });
    await clock.advance(499);
    assert.equal(starts, 0);
    await clock.advance(1);
    assert.equal(starts, 1);
    assert.equal(r.state('napi1').restarts, 1);
    assert.equal(processState(r.state('napi1'), true), 'running');
  });

  it('a start that fails is one more crash: the next wait is twice as long', async () => {
    const clock = new FakeClock();
    const logs: string[] = [];
    const r = make(clock, logs);
    const attemptsAt: number[] = [];
    r.crashed('nctrl0', 100, () => {
      attemptsAt.push(clock.nowMs);
      return attemptsAt.length < 3 ? Promise.reject(new Error('port in use')) : Promise.resolve();
    });
    await clock.advance(10_000);
    assert.deepEqual(attemptsAt, [500, 1500, 3500]);
    assert.equal(r.state('nctrl0').restarts, 3);
    assert.equal(r.state('nctrl0').backoff, undefined);
    assert.match(logs[0] ?? '', /nctrl0: restart failed: port in use/);
  });

  it('stop() cancels pending restarts', async () => {
    const clock = new FakeClock();
    const r = make(clock);
    let starts = 0;
    r.crashed('comp-group0', 100, () => {
      starts++;
      return Promise.resolve();
    });
    r.stop();
    await clock.advance(60_000);
    assert.equal(starts, 0);
    assert.equal(clock.pending, 0);
    r.crashed('comp-group0', 100, () => {
      starts++;
      return Promise.resolve();
    });
    assert.equal(clock.pending, 0);
  });

  it('processes are told apart: each has its own back-off and count', async () => {
    const clock = new FakeClock();
    const r = make(clock);
    r.crashed('a', 100, () => Promise.resolve());
    await clock.advance(500);
    r.crashed('a', 100, () => Promise.resolve());
    r.crashed('b', 100, () => Promise.resolve());
    assert.equal(r.state('a').backoff?.delayMs, 1000);
    assert.equal(r.state('b').backoff?.delayMs, 500);
    assert.equal(processState(r.state('never'), false), 'exited');
  });

  it('keeps each exit it is told of (process, PID, time, how), not the starts that failed after it', async () => {
    const clock = new FakeClock();
    const r = make(clock);
    await clock.advance(2000);
    let tries = 0;
    r.crashed(
      'nctrl0',
      100,
      () => (++tries < 2 ? Promise.reject(new Error('port in use')) : Promise.resolve()),
      {
        pid: 31,
        how: 'SIGKILL',
      },
    );
    await clock.advance(10_000);
    r.crashed('netcd1', 100, () => Promise.resolve(), { pid: 32, how: 'code 2' });
    assert.equal(r.state('nctrl0').restarts, 2, 'the failed start is counted as a restart');
    assert.deepEqual(r.crashes(), [
      { process: 'nctrl0', pid: 31, atMs: 2000, exit: 'SIGKILL' },
      { process: 'netcd1', pid: 32, atMs: 12_000, exit: 'code 2' },
    ]);
  });
});
