import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointHealth } from '../../../../src/testbed/etcd/endpoint-health.js';

describe('EndpointHealth: which etcd member to use next', () => {
  const cases: { name: string; down: number[]; from: number; now: number; want: number }[] = [
    { name: 'the next member when all are healthy', down: [], from: 0, now: 0, want: 1 },
    { name: 'wraps round to the first', down: [], from: 2, now: 0, want: 0 },
    { name: 'skips a member in back-off', down: [1], from: 0, now: 100, want: 2 },
    {
      name: 'comes back to the one it left when the others are down',
      down: [1, 2],
      from: 0,
      now: 100,
      want: 0,
    },
    { name: 'takes a member again once its back-off is over', down: [1], from: 0, now: 600, want: 1 },
  ];
  for (const c of cases) {
    it(`picks ${c.name}`, () => {
      const h = new EndpointHealth({ count: 3 });
      for (const i of c.down) h.markDown(i, 0);
      assert.equal(h.next(c.from, c.now), c.want);
    });
  }

  it('when every member is down, picks the one whose back-off ends first', () => {
    const h = new EndpointHealth({ count: 3 });
    h.markDown(0, 0);
    h.markDown(0, 0); // 1 s
    h.markDown(1, 0);
    h.markDown(1, 0);
    h.markDown(1, 0); // 2 s
    h.markDown(2, 0); // 0.5 s
    assert.equal(h.allDown(100), true);
    assert.equal(h.next(0, 100), 2);
  });

  it('doubles the back-off with each failure in a row, up to its cap, and resets it on success', () => {
    const h = new EndpointHealth({ count: 1, firstBackoffMs: 500, maxBackoffMs: 4000 });
    assert.deepEqual(
      [1, 2, 3, 4, 5].map(() => h.markDown(0, 1000) - 1000),
      [500, 1000, 2000, 4000, 4000],
    );
    h.markUp(0);
    assert.equal(h.isDown(0, 1000), false);
    assert.equal(h.markDown(0, 1000), 1500);
  });

  it('with one member, always that member', () => {
    const h = new EndpointHealth({ count: 1 });
    h.markDown(0, 0);
    assert.equal(h.next(0, 10), 0);
  });
});
