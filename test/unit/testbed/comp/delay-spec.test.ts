import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  delaySampler,
  formatDelaySpec,
  parseDelaySpec,
  DELAY_DURATION,
  type DelaySpec,
} from '../../../../src/testbed/comp/delay-spec.js';
import { parseDurationMs } from '../../../../src/util/duration.js';
import { seededRandom } from '../../../../src/util/prng.js';
import { KosTestError } from '../../../../src/util/errors.js';

describe('parseDurationMs', () => {
  const cases: { text: string; want: number | undefined }[] = [
    { text: '3ms', want: 3 },
    { text: '0ms', want: 0 },
    { text: '2.5ms', want: 2.5 },
    { text: '.5ms', want: 0.5 },
    { text: '250us', want: 0.25 },
    { text: '250µs', want: 0.25 },
    { text: '1s', want: 1000 },
    { text: ' 4ms ', want: 4 },
    { text: '3', want: undefined },
    { text: '-3ms', want: undefined },
    { text: '3 ms', want: undefined },
    { text: '3m', want: undefined },
    { text: 'ms', want: undefined },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.text)} → ${String(c.want)}`, () => {
      assert.equal(parseDurationMs(c.text, DELAY_DURATION), c.want);
    });
  }
});

describe('parseDelaySpec', () => {
  const good: { text: string; want: DelaySpec; canonical: string }[] = [
    { text: '3ms', want: { kind: 'fixed', ms: 3 }, canonical: '3ms' },
    { text: '0ms', want: { kind: 'fixed', ms: 0 }, canonical: '0ms' },
    { text: 'exp:3ms', want: { kind: 'exp', meanMs: 3 }, canonical: 'exp:3ms' },
    { text: 'uniform:1ms-5ms', want: { kind: 'uniform', minMs: 1, maxMs: 5 }, canonical: 'uniform:1ms-5ms' },
    { text: 'uniform:2ms-2ms', want: { kind: 'uniform', minMs: 2, maxMs: 2 }, canonical: 'uniform:2ms-2ms' },
    { text: 'normal:3ms,1ms', want: { kind: 'normal', meanMs: 3, sdMs: 1 }, canonical: 'normal:3ms,1ms' },
    {
      text: 'normal:1s,500us',
      want: { kind: 'normal', meanMs: 1000, sdMs: 0.5 },
      canonical: 'normal:1000ms,0.5ms',
    },
  ];
  for (const c of good) {
    it(`reads ${c.text}`, () => {
      const spec = parseDelaySpec(c.text);
      assert.deepEqual(spec, c.want);
      assert.equal(formatDelaySpec(spec), c.canonical);
      assert.deepEqual(parseDelaySpec(formatDelaySpec(spec)), spec, 'the canonical form reads back');
    });
  }

  const bad: { text: string; reason: RegExp }[] = [
    { text: '', reason: /fixed takes one duration/ },
    { text: '3', reason: /fixed takes one duration/ },
    { text: 'fast', reason: /fixed takes one duration/ },
    { text: 'exp:', reason: /exp takes one duration/ },
    { text: 'exp:3ms,1ms', reason: /exp takes one duration/ },
    { text: 'uniform:5ms', reason: /uniform takes 2 durations/ },
    { text: 'uniform:5ms-1ms', reason: /minimum is above its maximum/ },
    { text: 'normal:3ms', reason: /normal takes 2 durations/ },
    { text: 'normal:3ms,-1ms', reason: /normal takes 2 durations/ },
    { text: 'gauss:3ms,1ms', reason: /unknown distribution "gauss"/ },
  ];
  for (const c of bad) {
    it(`rejects ${JSON.stringify(c.text)} in one line naming the value and the accepted forms`, () => {
      assert.throws(
        () => parseDelaySpec(c.text),
        (e: unknown) => {
          assert.ok(e instanceof KosTestError);
          assert.match(e.message, c.reason);
          assert.ok(e.message.includes(JSON.stringify(c.text)), e.message);
          assert.ok(e.message.includes('exp:3ms | uniform:1ms-5ms | normal:3ms,1ms'), e.message);
          assert.ok(!e.message.includes('\n'));
          return true;
        },
      );
    });
  }
});

describe('delaySampler', () => {
  const N = 20_000;
  const stats = (spec: DelaySpec): { mean: number; sd: number; min: number; max: number } => {
    const draw = delaySampler(spec, seededRandom(42));
    let sum = 0;
    let sq = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < N; i++) {
      const x = draw();
      sum += x;
      sq += x * x;
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    const mean = sum / N;
    return { mean, sd: Math.sqrt(sq / N - mean * mean), min, max };
  };

  const cases: {
    spec: DelaySpec;
    mean: [number, number];
    sd: [number, number];
    min: number;
    max: number;
  }[] = [
    { spec: { kind: 'fixed', ms: 3 }, mean: [3, 3], sd: [0, 0], min: 3, max: 3 },
    // Exponential: sd = mean.
    { spec: { kind: 'exp', meanMs: 3 }, mean: [2.9, 3.1], sd: [2.85, 3.15], min: 0, max: Infinity },
    // Uniform on [1, 5]: mean 3, sd 4/sqrt(12) = 1.155.
    { spec: { kind: 'uniform', minMs: 1, maxMs: 5 }, mean: [2.97, 3.03], sd: [1.13, 1.18], min: 1, max: 5 },
    // Normal far from 0 is untouched by the truncation.
    {
      spec: { kind: 'normal', meanMs: 10, sdMs: 1 },
      mean: [9.97, 10.03],
      sd: [0.97, 1.03],
      min: 0,
      max: Infinity,
    },
    // Normal at mean 0 truncated at 0 is half-normal: mean sd*sqrt(2/pi) = 0.798, sd 0.603.
    {
      spec: { kind: 'normal', meanMs: 0, sdMs: 1 },
      mean: [0.78, 0.82],
      sd: [0.59, 0.62],
      min: 0,
      max: Infinity,
    },
  ];
  for (const c of cases) {
    it(`draws ${formatDelaySpec(c.spec)} with the right mean, spread and range`, () => {
      const s = stats(c.spec);
      assert.ok(s.mean >= c.mean[0] && s.mean <= c.mean[1], `mean ${s.mean}`);
      assert.ok(s.sd >= c.sd[0] && s.sd <= c.sd[1], `sd ${s.sd}`);
      assert.ok(s.min >= c.min, `min ${s.min}`);
      assert.ok(s.max <= c.max, `max ${s.max}`);
    });
  }

  it('repeats its draws for the same seed', () => {
    const spec: DelaySpec = { kind: 'exp', meanMs: 3 };
    const a = delaySampler(spec, seededRandom(7));
    const b = delaySampler(spec, seededRandom(7));
    const c = delaySampler(spec, seededRandom(8));
    const xs = Array.from({ length: 5 }, a);
    assert.deepEqual(Array.from({ length: 5 }, b), xs);
    assert.notDeepEqual(Array.from({ length: 5 }, c), xs);
  });
});
