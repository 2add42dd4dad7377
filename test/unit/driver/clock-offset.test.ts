import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measureClockOffset, offsetFromSamples } from '../../../src/driver/clock-offset.js';

describe('clock offset from bracketed write stamps', () => {
  const cases = [
    { name: 'server 250 ms behind, symmetric 2 ms legs', skew: 250, up: 2, down: 2 },
    { name: 'server 40 ms ahead, asymmetric legs', skew: -40, up: 5, down: 1 },
    { name: 'same clock', skew: 0, up: 0.3, down: 0.4 },
  ];
  for (const c of cases) {
    it(`${c.name}: the true offset lies within the reported uncertainty`, async () => {
      let wall = 1_700_000_000_000;
      // Round trips vary; the shortest one decides.
      const extra = [3, 0, 7, 1, 4];
      const r = await measureClockOffset(
        {
          wallMs: () => wall,
          probe: (k) => {
            wall += c.up + (extra[k] ?? 0);
            const stamp = (wall - c.skew) * 1000;
            wall += c.down;
            return Promise.resolve(stamp);
          },
        },
        5,
      );
      assert.equal(r.samples, 5);
      assert.ok(
        Math.abs(r.offsetMs - c.skew) <= r.uncertaintyMs + 1e-3,
        `offset ${r.offsetMs} +- ${r.uncertaintyMs}`,
      );
      assert.ok(
        Math.abs(r.uncertaintyMs - (c.up + c.down) / 2) < 1e-3,
        'uncertainty is half the best round trip',
      );
    });
  }
  it('tidies up after each probe outside its bracket, also after a probe that failed', async () => {
    let wall = 1_700_000_000_000;
    const tidied: number[] = [];
    const io = {
      wallMs: () => wall,
      probe: (k: number) => {
        wall += 1;
        const stamp = wall * 1000;
        wall += 1;
        return k === 3 ? Promise.reject(new Error('no stamp')) : Promise.resolve(stamp);
      },
      // A delete that takes 50 ms must not widen the bracket.
      afterProbe: (k: number) => {
        wall += 50;
        tidied.push(k);
        return Promise.resolve();
      },
    };
    const r = await measureClockOffset(io, 3);
    assert.deepEqual(tidied, [0, 1, 2]);
    assert.equal(r.uncertaintyMs, 1);
    assert.equal(r.offsetMs, 0);
    await assert.rejects(measureClockOffset(io, 5), /no stamp/);
    assert.deepEqual(tidied, [0, 1, 2, 0, 1, 2, 3]);
  });
  it("reports a failed probe's own error when its tidy-up fails too, and a tidy-up's error after a good probe", async () => {
    const tidied: number[] = [];
    const io = (probeFails: boolean) => ({
      wallMs: () => 1_700_000_000_000,
      probe: () =>
        probeFails ? Promise.reject(new Error('create refused')) : Promise.resolve(1_700_000_000_000_000),
      afterProbe: (k: number) => {
        tidied.push(k);
        return Promise.reject(new Error('delete refused'));
      },
    });
    await assert.rejects(measureClockOffset(io(true), 3), /create refused/);
    assert.deepEqual(tidied, [0]);
    await assert.rejects(measureClockOffset(io(false), 3), /delete refused/);
  });
  it('no samples: zero offset, zero samples', () => {
    assert.deepEqual(offsetFromSamples([]), { offsetMs: 0, uncertaintyMs: 0, samples: 0 });
  });
});
