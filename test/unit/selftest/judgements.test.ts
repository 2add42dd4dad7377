import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { latencyHistogram, latencyStats, recordMs } from '../../../src/measure/histogram.js';
import { judgeAchievedRate, rateOfStamps } from '../../../src/selftest/checks/achieved-rate.js';
import { judgeClockSkew } from '../../../src/selftest/checks/clock-skew.js';
import { gapConfidenceMs, judgeDelayShift } from '../../../src/selftest/checks/delay-shift.js';
import { delayShift, type DelayRunFigures, type DelayShift } from '../../../src/selftest/delay-shift-math.js';
import { runChecks } from '../../../src/selftest/selftest-check.js';
import { judgeStalledAgent } from '../../../src/selftest/checks/stalled-agent.js';
import { attachmentTimes } from '../../../src/selftest/testbed/attachments-csv.js';
import { levelBGroups, nodeGroups } from '../../../src/selftest/testbed/delay-levels.js';
import { parseSamples } from '../../../src/testbed/exporter/prom-text.js';
import { judgeChargedLoad } from '../../../src/selftest/checks/cost-attribution.js';
import { judgeFreshness } from '../../../src/selftest/checks/prometheus-freshness.js';
import { judgeNodePurposes } from '../../../src/selftest/checks/node-purposes.js';
import { judgeClockOffset } from '../../../src/selftest/checks/clock-offset.js';
import { judgeLatenessHeadroom } from '../../../src/selftest/checks/lateness-headroom.js';
import type { LatencyStats } from '../../../src/measure/latency-stats.js';

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
    fabricWaitMeanMs: 0.1,
    localIfcMeanMs: 5 + fabricMeanMs,
    statusPutMeanMs: 2,
    agentSpanMeanMs: 10,
    addressedMeanMs: 14,
    fromAddressedMeanMs: fulfilMs - 14,
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

describe('delay shift judgement against the noise of its runs', () => {
  /** A shift whose runs' own gaps (measured - applied) are `gaps`, ms. */
  const shiftOf = (gaps: number[]): DelayShift => {
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / (gaps.length - 1));
    return {
      nominalMs: 23,
      appliedMs: 23,
      fabricMs: 22.9,
      measuredMeanMs: 23 + mean,
      measuredP50Ms: 23 + mean,
      measuredFromAddressedMs: 23 + mean,
      fabricWaitMs: 0,
      toAgentMs: 0,
      statusPutMs: 0,
      agentSpanMs: 23,
      addressedMs: 0,
      pairGapsMs: gaps,
      gapStdErrorMs: sd / Math.sqrt(gaps.length),
    };
  };
  const cases = [
    { why: 'runs that agree on a small gap pass', gaps: [0.1, 0.2, 0.15, 0.05], pass: true, tol: 0.3 },
    { why: 'runs that agree on a 1 ms gap fail', gaps: [1.0, 1.1, 0.9, 1.0], pass: false, tol: 0.3 },
    {
      why: 'noisy runs widen the tolerance to their 95% interval',
      gaps: [0.1, 0.9, 0.2, 0.8],
      pass: true,
      tol: 3.18 * 0.2041,
    },
    { why: 'runs too noisy to judge fail, whatever their mean', gaps: [-1, 1, -1, 1.2], pass: false, tol: 1 },
  ];
  for (const c of cases) {
    it(c.why, () => {
      const [line] = judgeDelayShift(shiftOf(c.gaps));
      assert.ok(line !== undefined);
      assert.equal(line.pass, c.pass, JSON.stringify(line));
      assert.match(line.expected, new RegExp(`\\+- ${c.tol.toFixed(2)}$`));
    });
  }
  it('pairs the runs two by two and takes the spread of their gaps', () => {
    const runs = [
      run('A', 3, 3.2, 28),
      run('B', 26, 26.4, 51.4),
      run('B', 26, 26.4, 51.2),
      run('A', 3, 3.2, 28),
    ];
    const shift = delayShift(runs);
    assert.equal(shift.pairGapsMs.length, 2);
    assert.ok(shift.gapStdErrorMs > 0);
    assert.ok(Math.abs(gapConfidenceMs(shift) - 12.71 * shift.gapStdErrorMs) < 1e-9);
  });
});

describe('delay levels side by side', () => {
  it('put group 1 at B first, then alternate in blocks of 1 0 0 1', () => {
    assert.deepEqual(levelBGroups(2), [1, 0, 0, 1, 1, 0, 0, 1]);
  });
  it('map each node to the group whose per-node gauge names it', () => {
    const samples = parseSamples(
      [
        'kos_agent_local_attachments{group="comp-group0",node="comp3"} 1',
        'kos_agent_local_attachments{group="comp-group1",node="comp13"} 0',
        'kos_agent_watches{group="comp-group0",node="comp4"} 1',
      ].join('\n'),
    );
    assert.deepEqual(
      [...nodeGroups(samples)],
      [
        ['comp3', 'comp-group0'],
        ['comp13', 'comp-group1'],
      ],
    );
  });
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

describe('stalled agent judgement', () => {
  // Creates every 50 ms from t=0 to 10 s, fulfilled 30 ms later unless the stall (3 s to 6 s) held them.
  const creates = (lateness: (p: number) => number): { plannedMs: number; readyMs: number }[] =>
    Array.from({ length: 200 }, (_, i) => {
      const p = i * 50;
      return { plannedMs: p, readyMs: p + lateness(p) };
    });
  const stalled = (p: number): number => (p + 30 >= 3000 && p + 30 < 6000 ? 6000 + 40 - p : 30);
  const m = { stoppedMs: 3000, continuedMs: 6000, thresholdMs: 1000 };
  const cases = [
    { why: 'the creates the stall held past the threshold are the late ones', lateness: stalled, pass: true },
    {
      why: 'a backlog that drains 600 ms after the stall makes the creates planned in that time late too',
      lateness: (p: number) => (p + 30 >= 3000 && p + 30 < 6000 ? 6000 + 600 - p : 30),
      pass: true,
    },
    {
      why: 'creates late outside the stall and its drain read too many',
      lateness: (p: number) => (p < 1000 ? 1500 : stalled(p)),
      pass: false,
    },
    { why: 'a measurement that hid the stall reads none late', lateness: () => 30, pass: false },
    { why: 'one that saw every create late reads too many', lateness: () => 2000, pass: false },
  ];
  for (const c of cases) {
    it(c.why, () => {
      const r = judgeStalledAgent({ ...m, creates: creates(c.lateness) });
      assert.equal(r.pass, c.pass, JSON.stringify(r));
    });
  }
  it('reads node and times from attachments.csv, a time never reached as NaN', () => {
    const [first, second] = attachmentTimes(
      'name,node,phase,outcome,plannedMs,sentMs,createdMs,addressedMs,readyMs\na,c,cruise,fulfilled,10.5,11,,,40.25\nb,c,cruise,neverFulfilled,20,21,,,\n',
    );
    assert.deepEqual(first, { node: 'c', plannedMs: 10.5, sentMs: 11, addressedMs: NaN, readyMs: 40.25 });
    assert.ok(second !== undefined && Number.isNaN(second.readyMs));
  });
});

describe('cost attribution judgement', () => {
  const load = { what: 'CPU burn' as const, node: 'nctrl0', known: 2, unit: 'CPU-s' };
  const cases: { why: string; extra: Record<string, number>; pass: boolean }[] = [
    { why: 'on the node within 5%', extra: { nctrl0: 2.06, napi0: 0.2 }, pass: true },
    { why: '6% off fails', extra: { nctrl0: 2.13 }, pass: false },
    { why: 'the node missing (its series under another name) fails', extra: { kctrl0: 2.0 }, pass: false },
    { why: 'a neighbour carrying half of it fails', extra: { nctrl0: 2.0, kctrl0: 1.0 }, pass: false },
  ];
  for (const c of cases) {
    it(c.why, () => {
      assert.equal(judgeChargedLoad({ ...load, extraByNode: c.extra }).pass, c.pass);
    });
  }
});

describe('cluster check judgements', () => {
  const purposes = {
    comp0: 'comp',
    nctrl0: 'nctrl',
    napi0: 'napi',
    netcd0: 'netcd',
    kctrl0: 'kctrl',
    kapi0: 'kapi',
    ketcd0: 'ketcd',
  };
  const fresh = Object.keys(purposes).map((node) => ({ node, ageMs: 900, intervalMs: 1000 }));
  it('fresh samples: passes every purpose when each node was scraped within 2 intervals', () => {
    assert.ok(judgeFreshness(fresh, purposes).every((r) => r.pass));
  });
  it('fresh samples: fails a stale node, a node without samples and a purpose without nodes', () => {
    const stale = fresh
      .map((a) => (a.node === 'napi0' ? { ...a, ageMs: 2500 } : a))
      .filter((a) => a.node !== 'kapi0');
    const noKetcd = Object.fromEntries(Object.entries(purposes).filter(([n]) => n !== 'ketcd0'));
    const failed = judgeFreshness(stale, noKetcd)
      .filter((r) => !r.pass)
      .map((r) => r.check);
    assert.deepEqual(failed, [
      'fresh cost samples: napi',
      'fresh cost samples: kapi',
      'fresh cost samples: ketcd',
    ]);
  });
  it('node purposes: fails an unclassified node and a costed purpose without nodes', () => {
    assert.equal(judgeNodePurposes(purposes).pass, true);
    assert.equal(judgeNodePurposes({ ...purposes, mystery: undefined }).pass, false);
    const noKapi = Object.fromEntries(Object.entries(purposes).filter(([n]) => n !== 'kapi0'));
    assert.equal(judgeNodePurposes(noKapi).pass, false);
  });
  it('clock offset: fails an uncertainty above the bound and a run without probes', () => {
    assert.equal(judgeClockOffset({ offsetMs: 3, uncertaintyMs: 0.4, samples: 7 }).pass, true);
    assert.equal(judgeClockOffset({ offsetMs: 3, uncertaintyMs: 6, samples: 7 }).pass, false);
    assert.equal(judgeClockOffset({ offsetMs: 0, uncertaintyMs: 0, samples: 0 }).pass, false);
  });
  it('lateness headroom: p99 must stay within half the late threshold', () => {
    const stats = (p99: number): LatencyStats => {
      const h = latencyHistogram();
      for (let i = 0; i < 100; i++) recordMs(h, i < 98 ? 0.1 : p99);
      return latencyStats(h);
    };
    assert.equal(judgeLatenessHeadroom(stats(4), 10, 100).pass, true);
    assert.equal(judgeLatenessHeadroom(stats(7), 10, 100).pass, false);
  });
});
