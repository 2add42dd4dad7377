import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { latencyHistogram, latencyStats, recordMs } from '../../src/measure/histogram.js';
import { judgeAchievedRate, rateOfStamps } from '../../src/selftest/checks/achieved-rate.js';
import { judgeClockSkew } from '../../src/selftest/checks/clock-skew.js';
import { judgeDelayShift } from '../../src/selftest/checks/delay-shift.js';
import { delayShift, type DelayRunFigures } from '../../src/selftest/delay-shift-math.js';
import { runChecks } from '../../src/selftest/selftest-check.js';

/** Stamps `n` creates `gapMs` apart, in microseconds. */
const stamps = (n: number, gapMs: number): number[] =>
  Array.from({ length: n }, (_, i) => 1e15 + i * gapMs * 1000);

describe('achieved rate judgement', () => {
  const cases = [
    { why: 'on the planned rate', planned: 20, gapMs: 50, pass: true },
    { why: '0.9% fast still passes', planned: 20, gapMs: 50 / 1.009, pass: true },
    { why: '3% fast fails', planned: 20, gapMs: 50 / 1.03, pass: false },
    { why: '3% slow fails', planned: 20, gapMs: 50 * 1.03, pass: false },
  ];
  for (const c of cases) {
    it(c.why, () => {
      const r = judgeAchievedRate('steady', {
        plannedRate: c.planned,
        serverStampsMicros: stamps(401, c.gapMs),
      });
      assert.equal(r.pass, c.pass, JSON.stringify(r));
    });
  }
  it('fails with fewer than two stamps rather than reading a rate', () => {
    assert.ok(Number.isNaN(rateOfStamps([5])));
    assert.equal(judgeAchievedRate('poisson', { plannedRate: 20, serverStampsMicros: [5] }).pass, false);
  });
});

describe('clock skew judgement', () => {
  const good = {
    offsetMs: -250.3,
    uncertaintyMs: 0.5,
    serverFulfilmentP50Ms: 20,
    fulfilmentFromSentP50Ms: 22,
  };
  const cases = [
    { why: 'recovers the skew within the stated uncertainty', m: good, pass: [true, true] },
    { why: 'a driver clock 40 ms wrong misses it', m: { ...good, offsetMs: -210.3 }, pass: [false, true] },
    {
      why: 'an offset outside the uncertainty fails even when close',
      m: { ...good, offsetMs: -250.6, uncertaintyMs: 0.5 },
      pass: [false, true],
    },
    {
      why: 'server-stamped latency left uncorrected (off by the skew) fails',
      m: { ...good, serverFulfilmentP50Ms: 20 + 250 },
      pass: [true, false],
    },
    {
      why: 'a negative corrected latency fails',
      m: { ...good, serverFulfilmentP50Ms: -3 },
      pass: [true, false],
    },
    { why: 'no latency measured fails', m: { ...good, serverFulfilmentP50Ms: null }, pass: [true, false] },
  ];
  for (const c of cases) {
    it(c.why, () => {
      assert.deepEqual(
        judgeClockSkew(250, c.m).map((r) => r.pass),
        c.pass,
      );
    });
  }
});

function run(level: 'A' | 'B', delayMs: number, fabricMeanMs: number, fulfilMs: number): DelayRunFigures {
  const h = latencyHistogram();
  for (let i = 0; i < 100; i++) recordMs(h, fulfilMs);
  return {
    level,
    delayMs,
    fabricMeanMs,
    statusPutMeanMs: 2,
    agentSpanMeanMs: 10,
    fulfilment: latencyStats(h),
  };
}

describe('delay shift judgement', () => {
  const cases = [
    { why: 'fulfilment moving by the fabric time passes', fulfilB: 51.2, pass: true },
    { why: 'an unexplained extra ms fails', fulfilB: 52.2, pass: false },
  ];
  for (const c of cases) {
    it(c.why, () => {
      const runs = [
        run('A', 3, 3.2, 28),
        run('B', 26, 26.4, c.fulfilB),
        run('B', 26, 26.4, c.fulfilB),
        run('A', 3, 3.2, 28),
      ];
      const shift = delayShift(runs);
      assert.ok(Math.abs(shift.appliedMs - 23.2) < 1e-9);
      assert.equal(shift.nominalMs, 23);
      assert.equal(judgeDelayShift(shift)[0]?.pass, c.pass);
    });
  }
});

describe('runChecks', () => {
  it('turns a check that throws into a failed line and fails the report', async () => {
    let t = 0;
    const report = await runChecks(
      [
        {
          name: 'ok',
          run: () => Promise.resolve([{ check: 'ok', expected: '1', measured: '1', pass: true }]),
        },
        { name: 'broken', run: () => Promise.reject(new Error('no napi')) },
      ],
      { target: 'testbed', wallMs: () => (t += 1000) },
    );
    assert.equal(report.pass, false);
    assert.deepEqual(
      report.checks.map((c) => [c.check, c.pass, c.measured]),
      [
        ['ok', true, '1'],
        ['broken', false, 'error: no napi'],
      ],
    );
    assert.equal(report.seconds, 1);
  });
  it('does not pass a run with no checks', async () => {
    assert.equal((await runChecks([], { target: 'cluster' })).pass, false);
  });
});
