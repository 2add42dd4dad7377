import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SharedEventDecoder } from '../../../src/kube/shared-event-decoder.js';
import { readWatchEvents, type WatchEvent } from '../../../src/kube/watch-events.js';

const line = (name: string, rv: number): string =>
  JSON.stringify({ type: 'MODIFIED', object: { metadata: { name, resourceVersion: String(rv) } } });

function chunks(...parts: string[]): AsyncIterable<string> {
  return (async function* () {
    for (const p of parts) yield await Promise.resolve(p);
  })();
}

describe('SharedEventDecoder', () => {
  it('parses a line once and hands every watch that receives it the same event', async () => {
    const decoder = new SharedEventDecoder();
    const a = line('a', 1);
    const b = line('b', 2);
    const seen: WatchEvent[][] = [[], [], []];
    // Three watches of one process, split into chunks at different places.
    await readWatchEvents(chunks(`${a}\n${b}\n`), (e) => seen[0]?.push(e), decoder.decode);
    await readWatchEvents(
      chunks(a.slice(0, 9), `${a.slice(9)}\n`, `${b}\n`),
      (e) => seen[1]?.push(e),
      decoder.decode,
    );
    await readWatchEvents(chunks(`${b}\n`), (e) => seen[2]?.push(e), decoder.decode);
    assert.deepEqual(decoder.counts, { parsed: 2, shared: 3 });
    assert.equal(seen[1]?.[0], seen[0]?.[0]);
    assert.equal(seen[1]?.[1], seen[0]?.[1]);
    assert.equal(seen[2]?.[0], seen[0]?.[1]);
    assert.deepEqual(seen[0]?.[1], JSON.parse(b));
  });

  it('forgets the oldest line beyond its capacity, and parses it again when it comes back', () => {
    const decoder = new SharedEventDecoder(2);
    const first = decoder.decode(line('a', 1));
    decoder.decode(line('b', 2));
    decoder.decode(line('c', 3)); // evicts a
    assert.equal(decoder.decode(line('c', 3)), decoder.decode(line('c', 3)));
    const again = decoder.decode(line('a', 1));
    assert.notEqual(again, first);
    assert.deepEqual(again, first);
    assert.deepEqual(decoder.counts, { parsed: 4, shared: 2 });
  });

  it('tells events apart that differ only in their resource version', () => {
    const decoder = new SharedEventDecoder();
    const one = decoder.decode(line('a', 1));
    const two = decoder.decode(line('a', 2));
    assert.equal(one.object.metadata.resourceVersion, '1');
    assert.equal(two.object.metadata.resourceVersion, '2');
  });
});
