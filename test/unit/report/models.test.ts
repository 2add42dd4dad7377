import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { latencyHistogram, encodeHistogram, recordMs } from '../../../src/measure/histogram.js';
import { cdfPoints, histogramBins } from '../../../src/report/model/cdf.js';
import { COST_METRICS, costValue } from '../../../src/report/model/cost-metrics.js';
import { costSeries, purposesOf } from '../../../src/report/model/cost-series.js';
import { compareSweeps } from '../../../src/report/model/compare.js';
import { varyingFactors } from '../../../src/report/model/factors.js';
import { latencySeries } from '../../../src/report/model/latency-series.js';
import { scalingTable } from '../../../src/report/model/scaling.js';
import { sweepWarnings } from '../../../src/report/model/warnings.js';
import { DEFAULT_VALIDITY, type ValidityThresholds } from '../../../src/experiment/verdict/validity.js';
import { validityOfRecord } from '../../../src/experiment/verdict/verdict.js';
import { COST_MODEL, LATENCY_MODEL, prng, sweepRecords } from '../../support/sweep-fixture.js';

function metric(key: string): (typeof COST_METRICS)[number] {
  const m = COST_METRICS.find((x) => x.key === key);
  assert.ok(m, key);
  return m;
}

/** Nearest-rank percentile of raw values: what an exact computation would say. */
function exactPercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

describe('CDF and histogram from an HDR histogram', () => {
  const rand = prng(7);
  const values = Array.from({ length: 5000 }, () => Math.round(1 + 2000 * rand() ** 3));
  const h = latencyHistogram();
  for (const v of values) recordMs(h, v);
  const base64 = encodeHistogram(h);

  it('gives at every CDF point exactly the fraction of samples at or below it', () => {
    const points = cdfPoints(base64);
    assert.ok(points.length > 20, `${points.length} points`);
    for (const p of points) {
      const below = values.filter((v) => v <= p.valueMs).length / values.length;
      assert.equal(p.fraction, below, `at ${p.valueMs} ms`);
    }
    assert.equal(points.at(-1)?.fraction, 1);
    points.slice(1).forEach((p, i) => {
      assert.ok(p.valueMs > (points[i]?.valueMs ?? Infinity) && p.fraction >= (points[i]?.fraction ?? 2));
    });
  });

  it('puts every sample in exactly one log bin that contains it', () => {
    const bins = histogramBins(base64);
    assert.equal(
      bins.reduce((s, b) => s + b.count, 0),
      values.length,
    );
    for (const b of bins) {
      const inside = values.filter((v) => v >= b.lowMs * 0.999 && v < b.highMs * 1.001).length;
      assert.ok(inside >= b.count, `bin ${b.lowMs}..${b.highMs}: ${b.count} counted, ${inside} inside`);
    }
  });

  it('gives no points for an empty histogram', () => {
    assert.deepEqual(cdfPoints(encodeHistogram(latencyHistogram())), []);
  });
});

describe('latency against a factor', () => {
  const records = sweepRecords({
    sweepId: 'lat',
    grid: { OPS: [10, 40], NCA: [600, 2400] },
    replicates: 2,
    seed: 3,
    samples: 300,
  });
  const varying = varyingFactors(records);

  it('draws one line per level of the other factor, one point per level of the factor', () => {
    const points = latencySeries(records, 'OPS', varying).filter((p) => p.percentile === 'p50');
    assert.deepEqual(
      points.map((p) => `${p.series}@${p.x}`),
      ['NCA=600@10', 'NCA=600@40', 'NCA=2400@10', 'NCA=2400@40'],
    );
    assert.ok(points.every((p) => p.runs === 2 && p.samples === 600));
  });

  it("merges replicates' samples: each point's p99 is the p99 of both runs' samples (HDR precision)", () => {
    // The fixture's samples are regenerated from the same seed to know the raw values.
    const rand = prng(3);
    const normal = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const raw = records.map((r) => {
      const median = LATENCY_MODEL.medianMs * (r.factors.NCA / 600) ** LATENCY_MODEL.ncaExponent;
      const xs = Array.from({ length: 300 }, () => median * Math.exp(LATENCY_MODEL.sigma * normal()));
      // The fixture draws 7 numbers per cost purpose after the samples (COSTED_PURPOSES, one normal each).
      for (let i = 0; i < 7; i++) normal();
      return xs;
    });
    const p = latencySeries(records, 'NCA', varying).find(
      (x) => x.series === 'OPS=40' && x.x === 2400 && x.percentile === 'p99',
    );
    assert.ok(p);
    const idx = records.flatMap((r, i) => (r.factors.OPS === 40 && r.factors.NCA === 2400 ? [i] : []));
    const union = idx.flatMap((i) => raw[i] ?? []);
    const exact = exactPercentile(union, 99);
    assert.ok(Math.abs(p.valueMs - exact) / exact < 0.002, `p99 ${p.valueMs} vs exact ${exact}`);
  });
});

describe('costs against a factor', () => {
  const records = sweepRecords({
    sweepId: 'cost',
    grid: { OPS: [10, 20, 40] },
    replicates: 2,
    seed: 5,
    runs: { 0: { noCosts: true }, 1: { noCosts: true }, 2: { noCosts: true }, 4: { partialCosts: true } },
  });
  const purposes = purposesOf(records);

  it('averages the replicates that have data and leaves a gap where none has', () => {
    const points = costSeries(records, 'OPS', ['OPS'], metric('cpu'), purposes);
    const comp = points.filter((p) => p.purpose === 'comp');
    assert.deepEqual(
      comp.map((p) => [p.x, p.runsWithData]),
      [
        [10, 0],
        [20, 1],
        [40, 2],
      ],
    );
    assert.equal(comp[0]?.value, null);
    assert.equal(comp[1]?.value, costValue(records[3]?.costs ?? null, 'comp', metric('cpu')));
    const [b4, b5] = [4, 5].map((i) => costValue(records[i]?.costs ?? null, 'comp', metric('cpu')) ?? NaN);
    assert.equal(comp[2]?.value, ((b4 ?? NaN) + (b5 ?? NaN)) / 2);
    const napi40 = points.find((p) => p.purpose === 'napi' && p.x === 40);
    assert.equal(napi40?.runsWithData, 1, 'the partial table has no napi data');
  });

  it('keeps the purposes in the contract order', () => {
    assert.deepEqual(purposes, ['comp', 'nctrl', 'napi', 'netcd', 'kctrl', 'kapi', 'ketcd']);
  });
});

describe('scaling table', () => {
  const records = sweepRecords({
    sweepId: 'scale',
    grid: { OPS: [10, 20, 40], NCA: [600, 1200, 2400] },
    replicates: 2,
    seed: 11,
  });
  const rows = scalingTable(records, varyingFactors(records), purposesOf(records));
  const row = (subject: string, quantity: string, factor: string) => {
    const r = rows.find((x) => x.subject === subject && x.quantity === quantity && x.factor === factor);
    assert.ok(r, `${subject} ${quantity} ${factor}`);
    return r;
  };

  it('recovers the exponents the costs were generated with, inside the 95% interval', () => {
    const cases: [string, string, string, number][] = [
      ['comp', 'cpu', 'OPS', COST_MODEL.cpuOpsExponent],
      ['comp', 'cpu', 'NCA', COST_MODEL.cpuNcaExponent],
      ['napi', 'memory', 'NCA', COST_MODEL.memNcaExponent],
      ['napi', 'memory', 'OPS', 0],
      ['kapi', 'net-in', 'OPS', 1],
      ['latency', 'p50', 'NCA', LATENCY_MODEL.ncaExponent],
      ['latency', 'p50', 'OPS', 0],
    ];
    for (const [s, q, f, k] of cases) {
      const r = row(s, q, f);
      assert.ok(r.k !== null && Math.abs(r.k - k) < 0.05, `${s} ${q} ~ ${f}^${r.k} (model ${k})`);
      assert.ok(
        r.low !== null && r.high !== null && r.low <= k && k <= r.high,
        `${s} ${q} ${f}: ${r.low}..${r.high} holds ${k}`,
      );
      assert.equal(r.points, 18);
      assert.equal(r.residualDf, 15);
    }
  });

  it('says why a slope is missing when only one level of a factor has data', () => {
    const some = sweepRecords({
      sweepId: 'gap',
      grid: { OPS: [10, 20], NCA: [600, 1200] },
      replicates: 1,
      seed: 2,
      runs: { 1: { noCosts: true }, 3: { noCosts: true } },
    });
    const r = scalingTable(some, varyingFactors(some), purposesOf(some)).find(
      (x) => x.subject === 'comp' && x.quantity === 'cpu' && x.factor === 'NCA',
    );
    assert.equal(r?.k, null);
    assert.match(r.note ?? '', /only one level of NCA/);
  });
});

describe('report warnings: only what the validity reasons do not cover', () => {
  const records = sweepRecords({
    sweepId: 'warn',
    grid: { OPS: [10, 20, 40, 80, 160, 320, 640] },
    replicates: 1,
    seed: 1,
    runs: {
      1: { fail: true },
      2: { noCosts: true },
      3: { partialCosts: true },
      4: { achievedRatio: 0.97 },
      5: { late: 500 },
      6: { neverFulfilled: 3, achievedRatio: 1.015 },
    },
  });
  /** The runs as load-sweep.ts gives them to the report: each judged with `t`. */
  const kinds = (t: ValidityThresholds): string[][] => {
    const judged = records.map((r) => ({ ...r, validity: validityOfRecord(r, t) }));
    return judged.map((r) =>
      sweepWarnings(judged)
        .filter((w) => w.runId === r.runId)
        .map((w) => w.kind),
    );
  };

  it('warns of nothing a validity reason already says: failure, costs, rate, late ops, unfulfilled', () => {
    assert.deepEqual(kinds(DEFAULT_VALIDITY), [[], [], [], [], [], [], []]);
  });

  it('warns of missing and partial costs where the validity does not judge them (requireCosts false)', () => {
    assert.deepEqual(kinds({ ...DEFAULT_VALIDITY, requireCosts: false }), [
      [],
      [],
      ['missing-costs'],
      ['partial-costs'],
      [],
      [],
      [],
    ]);
  });
});

describe('comparing two sweeps', () => {
  const grid = { NCA: [600, 1200] };
  const a = sweepRecords({ sweepId: 'a', grid, replicates: 3, seed: 21 });
  const b = sweepRecords({ sweepId: 'b', grid, replicates: 3, seed: 22, latencyScale: 1.5 });
  const cells = compareSweeps(a, b);

  it('matches cells by factor levels and reports the change with its significance', () => {
    const p50 = cells.filter((c) => c.quantity === 'latency p50');
    assert.deepEqual(
      p50.map((c) => c.cell),
      ['NCA=600', 'NCA=1200'],
    );
    for (const c of p50) {
      assert.equal(c.runsA, 3);
      assert.equal(c.runsB, 3);
      assert.ok(c.changeRatio !== null && Math.abs(c.changeRatio - 0.5) < 0.1, `change ${c.changeRatio}`);
      assert.ok(c.p !== null && c.p < 0.01, `p ${c.p}`);
    }
  });

  it('gives no significance where the runs do not vary', () => {
    const rate = cells.find((c) => c.quantity === 'achieved rate');
    assert.equal(rate?.change, 0);
    assert.equal(rate.p, null);
  });

  it('keeps a cell present on one side only, with the other side empty', () => {
    const c = sweepRecords({ sweepId: 'c', grid: { NCA: [600, 1800] }, replicates: 1, seed: 4 });
    const only = compareSweeps(a, c).filter((x) => x.quantity === 'latency p99');
    assert.deepEqual(
      only.map((x) => [x.cell, x.runsA, x.runsB]),
      [
        ['NCA=600', 3, 1],
        ['NCA=1200', 3, 0],
        ['NCA=1800', 0, 1],
      ],
    );
    assert.equal(only[1]?.change, null);
  });
});
