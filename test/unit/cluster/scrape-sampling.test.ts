import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isScrapeSampled } from '../../../src/cluster/scrape-sampling.js';

describe('isScrapeSampled: the seed sampling rule for prometheus.io/scrape', () => {
  const cases: { name: string; size: number; sampled: boolean }[] = [
    // Fewer than 40 nodes: everything, even names no pattern knows.
    { name: 'comp7', size: 39, sampled: true },
    { name: 'lb-unknown', size: 1, sampled: true },
    // 40..399: the special purposes anywhere in the name, comp nodes ending in 0.
    { name: 'comp7', size: 40, sampled: false },
    { name: 'comp0', size: 40, sampled: true },
    { name: 'comp10', size: 40, sampled: true },
    { name: 'comp15', size: 399, sampled: false },
    { name: 'comp100', size: 399, sampled: true },
    { name: 'r1-comp20', size: 100, sampled: true },
    { name: 'ketcd2', size: 100, sampled: true },
    { name: 'netcd1', size: 100, sampled: true },
    { name: 'kapi0', size: 100, sampled: true },
    { name: 'napi3', size: 100, sampled: true },
    { name: 'kctrl0', size: 100, sampled: true },
    { name: 'nctrl0', size: 100, sampled: true },
    { name: 'ctrl1', size: 100, sampled: true },
    { name: 'mgmt2', size: 100, sampled: true },
    { name: 'data0', size: 100, sampled: true },
    { name: 'base0', size: 100, sampled: true },
    { name: 'lbpip3', size: 100, sampled: true },
    { name: 'obs0', size: 100, sampled: false },
    { name: 'worker10', size: 100, sampled: false },
    { name: 'comp10x', size: 100, sampled: false },
    // 400 and more: comp nodes ending in 10, 40 or 70 only; the special ones still all.
    { name: 'comp0', size: 400, sampled: false },
    { name: 'comp10', size: 400, sampled: true },
    { name: 'comp20', size: 400, sampled: false },
    { name: 'comp40', size: 400, sampled: true },
    { name: 'comp70', size: 5000, sampled: true },
    { name: 'comp100', size: 5000, sampled: false },
    { name: 'comp110', size: 5000, sampled: true },
    { name: 'comp1470', size: 5000, sampled: true },
    { name: 'comp41', size: 5000, sampled: false },
    { name: 'ketcd0', size: 5000, sampled: true },
    { name: 'mgmt0', size: 5000, sampled: true },
    { name: 'obs0', size: 5000, sampled: false },
  ];
  for (const c of cases) {
    it(`${c.sampled ? 'samples' : 'skips'} ${c.name} in a cluster of ${c.size}`, () => {
      assert.equal(isScrapeSampled(c.name, c.size), c.sampled);
    });
  }

  it('samples one comp node in ten below 400 nodes and three in a hundred from 400 on', () => {
    const comps = (n: number) => Array.from({ length: n }, (_, i) => `comp${i}`);
    assert.equal(comps(300).filter((n) => isScrapeSampled(n, 300)).length, 30);
    assert.equal(comps(1000).filter((n) => isScrapeSampled(n, 1000)).length, 30);
  });
});
