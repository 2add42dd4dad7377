import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { attachment, call, GV, withStack } from '../../../support/stack.js';

const coll = `${GV}/namespaces/cached/networkattachments`;

/** Updates start from the watch cache's copy; these pin that a stale copy never decides. */
describe('updates that start from a possibly stale watch cache', () => {
  let stack: Awaited<ReturnType<typeof withStack>>;
  let a: string;
  let b: string;

  before(async () => {
    stack = await withStack({ napiCount: 2 });
    a = stack.napis[0]?.url ?? '';
    b = stack.napis[1]?.url ?? '';
    assert.equal((await call(a, 'POST', coll, attachment('x', 'comp1'))).status, 201);
  });
  after(async () => {
    await stack.cleanup();
  });

  it('accepts a precondition written one moment ago through another apiserver', async () => {
    for (let i = 0; i < 40; i++) {
      const viaA = await call(
        a,
        'PATCH',
        `${coll}/x`,
        { metadata: { labels: { round: `a${i}` } } },
        'application/merge-patch+json',
      );
      assert.equal(viaA.status, 200);
      const rv = (viaA.json.metadata as { resourceVersion: string }).resourceVersion;
      // B may not have seen A's write yet; its answer must still be based on etcd.
      const viaB = await call(
        b,
        'PATCH',
        `${coll}/x`,
        { metadata: { resourceVersion: rv, labels: { round: `b${i}` } } },
        'application/merge-patch+json',
      );
      assert.equal(viaB.status, 200, `round ${i}: ${JSON.stringify(viaB.json)}`);
      assert.equal((viaB.json.metadata as { labels: Record<string, string> }).labels.round, `b${i}`);
    }
  });

  it('writes a change back even when the stale copy already looks like the result', async () => {
    for (let i = 0; i < 40; i++) {
      // A sets the label to `on`; B, right after, sets it back: B's cache may still show the old
      // value, which equals B's desired result, yet the write must happen.
      assert.equal(
        (
          await call(
            a,
            'PATCH',
            `${coll}/x`,
            { metadata: { labels: { flip: 'on' } } },
            'application/merge-patch+json',
          )
        ).status,
        200,
      );
      assert.equal(
        (
          await call(
            b,
            'PATCH',
            `${coll}/x`,
            { metadata: { labels: { flip: 'off' } } },
            'application/merge-patch+json',
          )
        ).status,
        200,
      );
      const now = await call(a, 'GET', `${coll}/x`);
      assert.equal(
        (now.json.metadata as { labels: Record<string, string> }).labels.flip,
        'off',
        `round ${i}`,
      );
    }
  });
});
