import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  counterWindow,
  coverageProblem,
  gaugeWindow,
  medianInterval,
  normalizeSamples,
  type Sample,
} from '../../../src/costs/window-math.js';

/** Samples every `stepMs` from `fromMs` to `toMs` inclusive, valued by `f(t)`. */
function every(stepMs: number, fromMs: number, toMs: number, f: (t: number) => number): Sample[] {
  const out: Sample[] = [];
  for (let t = fromMs; t <= toMs; t += stepMs) out.push({ t, v: f(t) });
  return out;
}

const perSecond = (t: number): number => t / 1000;

describe('counter increase over an exact window', () => {
  const cases: {
    why: string;
    samples: Sample[];
    window: [number, number];
    increase: number;
    coveredMs: number;
    resets?: number;
  }[] = [
    {
      why: 'window on sample instants',
      samples: every(1000, 0, 10_000, perSecond),
      window: [2000, 7000],
      increase: 5,
      coveredMs: 5000,
    },
    {
      why: 'window edges between samples interpolate linearly (no extrapolation)',
      samples: every(1000, 0, 10_000, perSecond),
      window: [2500, 6500],
      increase: 4,
      coveredMs: 4000,
    },
    {
      why: 'a window inside one scrape interval takes its share of that interval',
      samples: [
        { t: 0, v: 0 },
        { t: 1000, v: 10 },
      ],
      window: [250, 750],
      increase: 5,
      coveredMs: 500,
    },
    {
      why: 'a counter reset counts the new value as growth from zero',
      samples: [
        { t: 0, v: 0 },
        { t: 1000, v: 1 },
        { t: 2000, v: 2 },
        { t: 3000, v: 3 },
        { t: 4000, v: 0.5 },
        { t: 5000, v: 1.5 },
      ],
      window: [0, 5000],
      increase: 4.5,
      coveredMs: 5000,
      resets: 1,
    },
    {
      why: 'a series that starts inside the window covers only its part',
      samples: every(1000, 3000, 10_000, perSecond),
      window: [0, 10_000],
      increase: 7,
      coveredMs: 7000,
    },
    {
      why: 'a series that stops inside the window covers only its part',
      samples: every(1000, 0, 4000, perSecond),
      window: [1000, 10_000],
      increase: 3,
      coveredMs: 3000,
    },
    {
      why: 'a scrape gap is bridged linearly',
      samples: [...every(1000, 0, 2000, perSecond), ...every(1000, 8000, 10_000, perSecond)],
      window: [0, 10_000],
      increase: 10,
      coveredMs: 10_000,
    },
    {
      why: 'unsorted and duplicated samples are normalised first',
      samples: [
        { t: 2000, v: 4 },
        { t: 0, v: 0 },
        { t: 1000, v: 1 },
        { t: 1000, v: 2 },
      ],
      window: [0, 2000],
      increase: 4,
      coveredMs: 2000,
    },
  ];
  for (const c of cases) {
    it(c.why, () => {
      const w = counterWindow(c.samples, c.window[0], c.window[1]);
      assert.ok(w !== undefined);
      assert.ok(Math.abs(w.increase - c.increase) < 1e-9, `increase ${w.increase}, want ${c.increase}`);
      assert.equal(w.coveredMs, c.coveredMs);
      assert.equal(w.resets, c.resets ?? 0);
    });
  }

  const empty: { why: string; samples: Sample[]; window: [number, number] }[] = [
    { why: 'no samples', samples: [], window: [0, 1000] },
    { why: 'window after the last sample', samples: every(1000, 0, 5000, perSecond), window: [6000, 9000] },
    { why: 'window before the first sample', samples: every(1000, 5000, 9000, perSecond), window: [0, 4000] },
    { why: 'a single sample has no increase', samples: [{ t: 500, v: 3 }], window: [0, 1000] },
    {
      why: 'NaN samples are dropped',
      samples: [
        { t: 0, v: NaN },
        { t: 1000, v: 1 },
      ],
      window: [0, 1000],
    },
  ];
  for (const c of empty) {
    it(`no figure: ${c.why}`, () => {
      assert.equal(counterWindow(c.samples, c.window[0], c.window[1]), undefined);
    });
  }
});

describe('gauge average (time-weighted) and max over an exact window', () => {
  const cases: { why: string; samples: Sample[]; window: [number, number]; avg: number; max: number }[] = [
    { why: 'constant', samples: every(1000, 0, 10_000, () => 5), window: [1000, 9000], avg: 5, max: 5 },
    {
      why: 'steps weigh by how long each value held; the last holds one interval',
      samples: [
        { t: 0, v: 10 },
        { t: 1000, v: 20 },
        { t: 2000, v: 30 },
      ],
      window: [500, 2500],
      avg: 20,
      max: 30,
    },
    {
      why: 'the value in effect at the window start counts',
      samples: [
        { t: 0, v: 100 },
        { t: 1000, v: 1 },
        { t: 2000, v: 1 },
      ],
      window: [900, 1500],
      avg: 17.5,
      max: 100,
    },
    {
      why: 'a lone sample inside the window is its own average',
      samples: [{ t: 500, v: 7 }],
      window: [0, 1000],
      avg: 7,
      max: 7,
    },
  ];
  for (const c of cases) {
    it(c.why, () => {
      const g = gaugeWindow(c.samples, c.window[0], c.window[1]);
      assert.ok(g !== undefined);
      assert.ok(Math.abs(g.avg - c.avg) < 1e-9, `avg ${g.avg}, want ${c.avg}`);
      assert.equal(g.max, c.max);
    });
  }

  it('no figure when nothing is in effect in the window', () => {
    assert.equal(
      gaugeWindow(
        every(1000, 0, 3000, () => 1),
        10_000,
        20_000,
      ),
      undefined,
    );
    assert.equal(gaugeWindow([], 0, 1), undefined);
  });
});

describe('coverage problems', () => {
  const regular = every(1000, 0, 60_000, perSecond);
  const cases: { why: string; samples: Sample[]; window: [number, number]; want: RegExp | undefined }[] = [
    { why: 'full coverage', samples: regular, window: [10_000, 50_000], want: undefined },
    {
      why: 'up to one scrape phase missing at an edge is fine',
      samples: regular,
      window: [59_000, 60_900],
      want: undefined,
    },
    {
      why: 'a late start is reported',
      samples: every(1000, 30_000, 60_000, perSecond),
      window: [0, 60_000],
      want: /cover 50\.0% of the window/,
    },
    {
      why: 'a scrape gap of more than 3 intervals is reported',
      samples: [...every(1000, 0, 20_000, perSecond), ...every(1000, 25_000, 60_000, perSecond)],
      window: [0, 60_000],
      want: /scrape gap of 5\.0 s \(typical 1\.0 s\)/,
    },
  ];
  for (const c of cases) {
    it(c.why, () => {
      const w = counterWindow(c.samples, c.window[0], c.window[1]);
      assert.ok(w !== undefined);
      const problem = coverageProblem(w, c.window[0], c.window[1]);
      if (c.want === undefined) assert.equal(problem, undefined);
      else assert.match(problem ?? '', c.want);
    });
  }

  it('median interval and normalisation', () => {
    assert.equal(medianInterval(every(2000, 0, 10_000, () => 0)), 2000);
    assert.equal(medianInterval([{ t: 0, v: 0 }]), 0);
    assert.deepEqual(
      normalizeSamples([
        { t: 2, v: 1 },
        { t: 1, v: Infinity },
        { t: 1, v: 3 },
      ]),
      [
        { t: 1, v: 3 },
        { t: 2, v: 1 },
      ],
    );
  });
});
