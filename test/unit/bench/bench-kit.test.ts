import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { median } from '../../../bench/bench-kit.js';

describe('median', () => {
  const cases: { values: number[]; want: number }[] = [
    { values: [0.95, 0.87, 1.12, 0.9, 1.08], want: 0.95 },
    { values: [4, 1, 3, 2], want: 2.5 },
    { values: [7], want: 7 },
  ];
  for (const c of cases) {
    it(`of ${c.values.join(', ')} is ${c.want}, whatever the order`, () => {
      assert.equal(median(c.values), c.want);
    });
  }

  it('of nothing is NaN', () => {
    assert.equal(median([]), NaN);
  });

  it('leaves its input unsorted', () => {
    const values = [3, 1, 2];
    median(values);
    assert.deepEqual(values, [3, 1, 2]);
  });
});
