import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { networkAttachments } from '../../../../src/api/resource-types.js';
import type { KosObject } from '../../../../src/api/meta.js';
import { CacheEntry } from '../../../../src/testbed/napi/cache-entry.js';

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

  it('after releaseWatchLines, encodes the same bytes again on demand', () => {
    const e = new CacheEntry(obj, 7, networkAttachments);
    const line = e.watchLine('ADDED');
    e.releaseWatchLines();
    const again = e.watchLine('ADDED');
    assert.notEqual(again, line, 'a new Buffer: the old one was let go');
    assert.equal(again.equals(line), true);
  });

  it('kept as text, still selects on its fields and labels and hands out copies nobody shares', () => {
    const labelled = { ...obj, metadata: { ...obj.metadata, labels: { app: 'x' } } } as KosObject;
    const given = structuredClone(labelled);
    const e = new CacheEntry(given, 7, networkAttachments);
    given.metadata.name = 'changed after';
    assert.equal(e.namespace, 'ns');
    assert.equal(e.name, 'a');
    assert.deepEqual(e.labels, { app: 'x' });
    assert.equal(e.fields['spec.node'], 'comp1');
    const copy = e.obj;
    assert.deepEqual(copy, labelled);
    copy.metadata.name = 'changed';
    assert.notEqual(copy, e.obj, 'a fresh copy each time');
    assert.equal(
      e.obj.metadata.name,
      'a',
      'a change to a copy (or to the given object) never reaches the entry',
    );
    assert.equal(e.json, JSON.stringify(labelled));
  });

  it('a deletion stamps a copy with its revision and leaves the last state alone', () => {
    const e = new CacheEntry(structuredClone(obj), 7, networkAttachments);
    const gone = e.asDeletedAt(9, networkAttachments);
    assert.equal(gone.rev, 9);
    assert.equal(gone.obj.metadata.resourceVersion, '9');
    assert.equal(e.obj.metadata.resourceVersion, '7');
  });
});
