import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sameJson, sameWhenEmptyOmitted } from '../../../src/api/omit-empty.js';

/** The comparison sameJson replaced: JSON text with object keys sorted. Its answers are the contract. */
function sortedKeysJson(value: unknown): string | undefined {
  if (Array.isArray(value)) return `[${value.map(sortedKeysJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedKeysJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const attachment = {
  apiVersion: 'network.example.com/v1alpha1',
  kind: 'NetworkAttachment',
  metadata: { name: 'a', namespace: 'ns', labels: { x: '1', y: '2' }, generation: 3 },
  spec: { node: 'comp7', subnet: 's', ports: [80, 443] },
  status: { ipv4: '10.0.0.1', errors: [] },
};

const cases: { name: string; a: unknown; b: unknown; same: boolean }[] = [
  { name: 'the same object', a: attachment, b: structuredClone(attachment), same: true },
  {
    name: 'keys in another order, at every depth',
    a: attachment,
    b: {
      status: { errors: [], ipv4: '10.0.0.1' },
      spec: { ports: [80, 443], subnet: 's', node: 'comp7' },
      metadata: { generation: 3, labels: { y: '2', x: '1' }, namespace: 'ns', name: 'a' },
      kind: 'NetworkAttachment',
      apiVersion: 'network.example.com/v1alpha1',
    },
    same: true,
  },
  { name: 'a nested string differs', a: { m: { l: { x: '1' } } }, b: { m: { l: { x: '2' } } }, same: false },
  { name: 'a key missing on one side', a: { a: 1, b: 2 }, b: { a: 1 }, same: false },
  { name: 'same key count, other keys', a: { a: 1 }, b: { b: 1 }, same: false },
  { name: 'array order matters', a: [1, 2], b: [2, 1], same: false },
  { name: 'array lengths differ', a: [1, 2], b: [1, 2, 3], same: false },
  { name: 'an array is not an object with index keys', a: ['x'], b: { 0: 'x' }, same: false },
  { name: 'a number is not its string', a: { n: 1 }, b: { n: '1' }, same: false },
  { name: 'null is not an empty object', a: { s: null }, b: { s: {} }, same: false },
  { name: 'false is not 0', a: false, b: 0, same: false },
  { name: 'an undefined key counts as present', a: { a: undefined }, b: {}, same: false },
  { name: 'two undefined keys are equal', a: { a: undefined, b: 1 }, b: { b: 1, a: undefined }, same: true },
  { name: 'a non-finite number is null', a: { n: NaN }, b: { n: null }, same: true },
  { name: '-0 is 0', a: -0, b: 0, same: true },
  { name: 'an object is not a string', a: {}, b: '{}', same: false },
  { name: 'empty arrays', a: [], b: [], same: true },
];

describe('sameJson', () => {
  for (const c of cases) {
    it(`${c.same ? 'equal' : 'unequal'}: ${c.name}`, () => {
      assert.equal(sameJson(c.a, c.b), c.same);
      assert.equal(sameJson(c.b, c.a), c.same);
      assert.equal(
        sortedKeysJson(c.a) === sortedKeysJson(c.b),
        c.same,
        'the sorted-keys JSON comparison agrees',
      );
    });
  }

  it('agrees with the sorted-keys JSON comparison on every one-field change of an object', () => {
    const variants: unknown[] = [attachment];
    const walk = (value: unknown, set: (v: unknown) => unknown): void => {
      if (value !== null && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          const copyWith = (nv: unknown): unknown => {
            const copy: unknown = Array.isArray(value) ? [...(value as unknown[])] : { ...value };
            (copy as Record<string, unknown>)[k] = nv;
            return set(copy);
          };
          variants.push(copyWith(undefined), copyWith(null), copyWith('changed'), copyWith(0));
          walk(v, copyWith);
        }
      }
    };
    walk(attachment, (v) => v);
    for (const a of variants) {
      for (const b of variants) {
        assert.equal(
          sameJson(a, b),
          sortedKeysJson(a) === sortedKeysJson(b),
          `${sortedKeysJson(a)} vs ${sortedKeysJson(b)}`,
        );
      }
    }
  });
});

describe('sameWhenEmptyOmitted', () => {
  it('treats empty values as absent, in any key order', () => {
    assert.equal(sameWhenEmptyOmitted({ a: '', b: { c: 1, d: [] } }, { b: { c: 1 } }), true);
    assert.equal(sameWhenEmptyOmitted({ b: { d: 0, c: 1 } }, { b: { c: 1, d: null } }), true);
  });

  it('still sees a change that is not empty', () => {
    assert.equal(sameWhenEmptyOmitted({ b: { c: 1 } }, { b: { c: 2, d: '' } }), false);
  });
});
