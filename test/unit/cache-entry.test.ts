import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { networkAttachments } from '../../src/api/resource-types.js';
import type { KosObject } from '../../src/api/meta.js';
import { CacheEntry } from '../../src/testbed/napi/cache-entry.js';

const obj = {
  apiVersion: 'network.example.com/v1alpha1',
  kind: 'NetworkAttachment',
  metadata: { name: 'a', namespace: 'ns', resourceVersion: '7' },
  spec: { node: 'comp1', subnet: 's' },
} as unknown as KosObject;

describe('CacheEntry encodings', () => {
  it('encodes the watch line once and shares the same Buffer', () => {
    const e = new CacheEntry(obj, 7, networkAttachments);
    assert.equal(e.watchLine('ADDED'), e.watchLine('ADDED'));
    assert.deepEqual(JSON.parse(e.watchLine('MODIFIED').toString()), { type: 'MODIFIED', object: obj });
  });

  it('after releaseEncodings, encodes the same bytes again on demand', () => {
    const e = new CacheEntry(obj, 7, networkAttachments);
    const line = e.watchLine('ADDED');
    const json = e.json;
    e.releaseEncodings();
    const again = e.watchLine('ADDED');
    assert.notEqual(again, line, 'a new Buffer: the old one was let go');
    assert.equal(again.equals(line), true);
    assert.equal(e.json, json);
  });
});
