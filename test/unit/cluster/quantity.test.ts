import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatGiB, parseQuantity } from '../../../src/cluster/quantity.js';

describe('parseQuantity: Kubernetes quantities as numbers', () => {
  const cases: [string, number | undefined][] = [
    ['4', 4],
    ['3500m', 3.5],
    ['0.5', 0.5],
    ['12Gi', 12 * 2 ** 30],
    ['12273828Ki', 12273828 * 1024],
    ['512Mi', 512 * 2 ** 20],
    ['8G', 8e9],
    ['1e9', 1e9],
    ['1.5k', 1500],
    ['250u', 0.00025],
    ['', undefined],
    ['4 cores', undefined],
    ['Gi', undefined],
    ['12GB', undefined],
  ];
  for (const [text, value] of cases) {
    it(`reads ${JSON.stringify(text)} as ${String(value)}`, () => {
      const got = parseQuantity(text);
      if (value === undefined || got === undefined) assert.equal(got, value);
      else assert.ok(Math.abs(got - value) <= Math.abs(value) * 1e-12, `${got} != ${value}`);
    });
  }

  it('formats bytes as GiB with two decimals', () => {
    assert.equal(formatGiB(12 * 2 ** 30), '12 GiB');
    assert.equal(formatGiB(12273828 * 1024), '11.71 GiB');
  });
});
