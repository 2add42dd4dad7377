import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alternation } from '../../../bench/data-plane.js';

describe('the data-plane benchmark alternates A and B so a drift of the machine cancels', () => {
  const cases = [
    { pairs: 1, want: 'A B' },
    { pairs: 2, want: 'A B B A' },
    { pairs: 3, want: 'A B B A A B' },
  ];
  for (const c of cases) {
    it(`${String(c.pairs)} pair(s): ${c.want}`, () => {
      assert.equal(alternation(c.pairs).join(' '), c.want);
    });
  }
});
