import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { leastSquares } from '../../../src/report/stats/regression.js';
import { tCdf, tQuantile } from '../../../src/report/stats/t-distribution.js';
import { holmAdjust } from '../../../src/report/stats/holm.js';
import { welchTTest } from '../../../src/report/stats/welch.js';

const close = (actual: number | null | undefined, expected: number, tol: number, what: string): void => {
  assert.ok(actual !== null && actual !== undefined, `${what}: missing`);
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tol ${tol})`);
};

// Reference values from SciPy 1.17 (stats.t.ppf / t.cdf / ttest_ind(equal_var=False) / linregress).
describe('t distribution', () => {
  const quantiles: [number, number][] = [
    [1, 12.706204736174694],
    [2, 4.302652729749462],
    [5, 2.5705818356363146],
    [10, 2.228138851986274],
    [30, 2.0422724563012378],
  ];
  for (const [df, q] of quantiles)
    it(`gives the 97.5% quantile for df=${df} as SciPy does`, () => {
      close(tQuantile(0.975, df), q, 1e-9 * q, `t(0.975, ${df})`);
      close(tQuantile(0.025, df), -q, 1e-9 * q, `t(0.025, ${df})`);
    });
  it('gives the CDF as SciPy does on both sides of 0', () => {
    close(tCdf(-1.5, 3), 0.11529193262241147, 1e-12, 'cdf(-1.5, 3)');
    close(tCdf(2.5, 7), 0.9795038907071235, 1e-12, 'cdf(2.5, 7)');
    close(tCdf(0, 4), 0.5, 1e-15, 'cdf(0, 4)');
  });
  it('rejects a probability outside (0, 1)', () => {
    assert.throws(() => tQuantile(1, 3), RangeError);
  });
});

describe("Welch's t-test", () => {
  it('matches SciPy on unequal variances and sizes', () => {
    const r = welchTTest([1, 2, 3, 4, 5], [2, 4, 6, 8, 10]);
    close(r?.t, 1.8973665961010275, 1e-12, 't');
    close(r?.df, 5.882352941176471, 1e-12, 'df');
    close(r?.p, 0.10753119493062728, 1e-10, 'p');
    const s = welchTTest([10.1, 9.8, 10.3, 10.0], [11.2, 11.5, 10.9]);
    close(s?.p, 0.007535536466250453, 1e-10, 'p (significant)');
  });
  it('gives no answer with fewer than two values a side or no spread at all', () => {
    assert.equal(welchTTest([1], [2, 3]), null);
    assert.equal(welchTTest([2, 2], [2, 2]), null);
  });
});

describe('least squares', () => {
  it('matches SciPy linregress: slope, standard error and 95% interval', () => {
    const fit = leastSquares([[1], [2], [3], [4], [5], [6]], [2.1, 3.9, 6.2, 7.8, 10.1, 12.2]);
    const c = fit?.coefficients[0];
    close(c?.estimate, 2.02, 1e-12, 'slope');
    close(c?.standardError ?? null, 0.04276179870599006, 1e-12, 'stderr');
    close(c?.low ?? null, 1.9012742132933, 1e-9, 'low');
    close(c?.high ?? null, 2.138725786706699, 1e-9, 'high');
    assert.equal(fit?.residualDf, 4);
  });
  it('recovers two exponents exactly from noise-free power-law data on logs', () => {
    const rows: number[][] = [];
    const ys: number[] = [];
    for (const a of [10, 20, 40])
      for (const b of [600, 1200, 1800]) {
        rows.push([Math.log(a), Math.log(b)]);
        ys.push(Math.log(0.5 * a ** 0.8 * b ** 1.5));
      }
    const fit = leastSquares(rows, ys);
    close(fit?.coefficients[0]?.estimate, 0.8, 1e-9, 'k_a');
    close(fit?.coefficients[1]?.estimate, 1.5, 1e-9, 'k_b');
    close(fit?.coefficients[0]?.standardError ?? null, 0, 1e-6, 'no spread');
  });
  it('gives estimates without an interval when points equal parameters', () => {
    const fit = leastSquares([[0], [1]], [1, 3]);
    close(fit?.coefficients[0]?.estimate, 2, 1e-12, 'slope');
    assert.equal(fit?.coefficients[0]?.low, null);
    assert.equal(fit.residualDf, 0);
  });
  it('refuses a fit whose columns are collinear or too few points', () => {
    assert.equal(
      leastSquares(
        [
          [1, 2],
          [2, 4],
          [3, 6],
          [4, 8],
        ],
        [1, 2, 3, 4],
      ),
      null,
    );
    assert.equal(leastSquares([[1, 2]], [1]), null);
  });
});

// Reference values from R 4.4: p.adjust(p, method = "holm"), NA kept in place.
describe("Holm's adjustment", () => {
  const cases: [string, (number | null)[], (number | null)[]][] = [
    ['none', [], []],
    ['one test is its own p', [0.03], [0.03]],
    ['step-down, monotone in the sorted order', [0.01, 0.04, 0.03, 0.005], [0.03, 0.06, 0.06, 0.02]],
    ['capped at 1', [0.5, 0.6, 0.01], [1, 1, 0.03]],
    ['missing tests are not counted', [null, 0.02, null, 0.04], [null, 0.04, null, 0.04]],
    ['ties', [0.01, 0.01, 0.2], [0.03, 0.03, 0.2]],
  ];
  for (const [name, ps, expected] of cases)
    it(`adjusts as R does: ${name}`, () => {
      const got = holmAdjust(ps);
      assert.equal(got.length, expected.length);
      got.forEach((g, i) => {
        const e = expected[i];
        if (e === null || e === undefined) assert.equal(g, null);
        else close(g, e, 1e-12, `p[${i}]`);
      });
    });
});
