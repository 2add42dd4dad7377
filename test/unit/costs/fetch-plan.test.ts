import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planChunks, spanWithMargin, type FetchChunk } from '../../../src/costs/fetch-plan.js';

describe('fetch spans get a margin each side, in whole ms', () => {
  const cases: [number, number, number, { fromMs: number; toMs: number }][] = [
    [10_000, 20_000, 60_000, { fromMs: -50_000, toMs: 80_000 }],
    [10_000.4, 20_000.2, 1000, { fromMs: 9000, toMs: 21_001 }],
    [5, 6, 0, { fromMs: 5, toMs: 6 }],
  ];
  for (const [from, to, margin, want] of cases) {
    it(`[${from}, ${to}] with margin ${margin}`, () => {
      assert.deepEqual(spanWithMargin(from, to, margin), want);
    });
  }
});

describe('chunks tile the span and respect the sample budget', () => {
  const cases: { why: string; span: [number, number]; total: number; budget: number; want: FetchChunk[] }[] =
    [
      {
        why: 'within budget: one query for the whole span',
        span: [1000, 61_000],
        total: 900,
        budget: 1000,
        want: [{ evalMs: 61_000, rangeMs: 60_000 }],
      },
      {
        why: 'no samples: still one query (it answers empty)',
        span: [0, 10_000],
        total: 0,
        budget: 1000,
        want: [{ evalMs: 10_000, rangeMs: 10_000 }],
      },
      {
        why: 'exactly twice the budget: two equal chunks',
        span: [0, 10_000],
        total: 2000,
        budget: 1000,
        want: [
          { evalMs: 5000, rangeMs: 5000 },
          { evalMs: 10_000, rangeMs: 5000 },
        ],
      },
      {
        why: 'just over: three chunks, rounded to whole ms, the last ends at the span end',
        span: [0, 10_000],
        total: 2001,
        budget: 1000,
        want: [
          { evalMs: 3333, rangeMs: 3333 },
          { evalMs: 6667, rangeMs: 3334 },
          { evalMs: 10_000, rangeMs: 3333 },
        ],
      },
      {
        why: 'never chunks shorter than 1 ms',
        span: [0, 3],
        total: 1_000_000,
        budget: 1,
        want: [
          { evalMs: 1, rangeMs: 1 },
          { evalMs: 2, rangeMs: 1 },
          { evalMs: 3, rangeMs: 1 },
        ],
      },
    ];
  for (const c of cases) {
    it(c.why, () => {
      const chunks = planChunks({ fromMs: c.span[0], toMs: c.span[1] }, c.total, c.budget);
      assert.deepEqual(chunks, c.want);
      const sum = chunks.reduce((t, ch) => t + ch.rangeMs, 0);
      assert.equal(sum, c.span[1] - c.span[0], 'chunks tile the span');
    });
  }

  it('refuses an empty span', () => {
    assert.throws(() => planChunks({ fromMs: 5, toMs: 5 }, 10), RangeError);
  });

  it('plans a long window at a busy density in bounded chunks', () => {
    // 1 h at 1 s scrape for 1,800 series: 6.5M samples -> 26 chunks of < 250k.
    const span = spanWithMargin(0, 3_600_000);
    const total = 1800 * 3720;
    const chunks = planChunks(span, total, 250_000);
    assert.equal(chunks.length, Math.ceil(total / 250_000));
    for (const ch of chunks) assert.ok((ch.rangeMs / 3_720_000) * total <= 250_000 * 1.001);
  });
});
