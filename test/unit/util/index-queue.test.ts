import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IndexQueue } from '../../../src/util/index-queue.js';

describe('IndexQueue', () => {
  it('gives values back oldest first, across growth and wrap-around', () => {
    const q = new IndexQueue(4);
    const want: number[] = [];
    const got: number[] = [];
    let next = 0;
    // Interleave pushes and shifts so the head wraps before each growth.
    for (const [pushes, shifts] of [
      [3, 2],
      [4, 1],
      [9, 6],
      [1, 0],
      [0, 8],
    ] as const) {
      for (let k = 0; k < pushes; k++) {
        q.push(next);
        want.push(next++);
      }
      for (let k = 0; k < shifts; k++) got.push(q.shift() ?? -1);
      assert.equal(q.length, want.length - got.length);
    }
    assert.deepEqual(got, want);
    assert.equal(q.shift(), undefined);
  });

  it('clear empties it and it works on from there', () => {
    const q = new IndexQueue(1);
    for (const v of [7, 0, 2_000_000, 3]) q.push(v);
    q.clear();
    assert.equal(q.length, 0);
    assert.equal(q.shift(), undefined);
    q.push(5);
    q.push(6);
    assert.equal(q.shift(), 5);
    assert.equal(q.shift(), 6);
  });
});
