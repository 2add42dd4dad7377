import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyGenerateName,
  generateNameSuffix,
  validateAnnotations,
  validateDnsLabel,
  validateDnsSubdomain,
  validateLabels,
  validateLabelValue,
  validateQualifiedName,
} from '../../../src/api/names.js';

const SUBDOMAIN = /lowercase RFC 1123 subdomain/;
const LABEL = /lowercase RFC 1123 label/;

describe('validateDnsSubdomain', () => {
  const cases: { name: string; problems: RegExp[] }[] = [
    { name: 'a', problems: [] },
    { name: 'net-1.kos.example', problems: [] },
    { name: '0abc9', problems: [] },
    { name: 'a'.repeat(253), problems: [] },
    { name: 'a'.repeat(254), problems: [/no more than 253/] },
    { name: '', problems: [SUBDOMAIN] },
    { name: 'A', problems: [SUBDOMAIN] },
    { name: '-a', problems: [SUBDOMAIN] },
    { name: 'a-', problems: [SUBDOMAIN] },
    { name: 'a..b', problems: [SUBDOMAIN] },
    { name: '.a', problems: [SUBDOMAIN] },
    { name: 'a.', problems: [SUBDOMAIN] },
    { name: 'a.-b', problems: [SUBDOMAIN] },
    { name: 'a_b', problems: [SUBDOMAIN] },
    { name: 'a b', problems: [SUBDOMAIN] },
    { name: 'A'.repeat(254), problems: [/no more than 253/, SUBDOMAIN] },
  ];
  for (const c of cases) {
    it(`${c.problems.length === 0 ? 'accepts' : 'rejects'} ${JSON.stringify(c.name.slice(0, 20))} (length ${c.name.length})`, () => {
      const problems = validateDnsSubdomain(c.name);
      assert.equal(problems.length, c.problems.length, problems.join('; '));
      c.problems.forEach((re, i) => {
        assert.match(problems[i] ?? '', re);
      });
    });
  }
});

describe('validateDnsLabel', () => {
  const cases: { name: string; problems: RegExp[] }[] = [
    { name: 'default', problems: [] },
    { name: 'kos-system', problems: [] },
    { name: 'a'.repeat(63), problems: [] },
    { name: 'a'.repeat(64), problems: [/no more than 63/] },
    { name: 'a.b', problems: [LABEL] },
    { name: '', problems: [LABEL] },
    { name: 'Default', problems: [LABEL] },
    { name: 'a-', problems: [LABEL] },
  ];
  for (const c of cases) {
    it(`${c.problems.length === 0 ? 'accepts' : 'rejects'} ${JSON.stringify(c.name.slice(0, 20))} (length ${c.name.length})`, () => {
      const problems = validateDnsLabel(c.name);
      assert.equal(problems.length, c.problems.length, problems.join('; '));
      c.problems.forEach((re, i) => {
        assert.match(problems[i] ?? '', re);
      });
    });
  }
});

describe('validateQualifiedName', () => {
  const cases: { key: string; problems: RegExp[] }[] = [
    { key: 'app', problems: [] },
    { key: 'App_1.x-y', problems: [] },
    { key: 'kos.example.com/subnet', problems: [] },
    { key: `${'p'.repeat(253)}/${'n'.repeat(63)}`, problems: [] },
    { key: `${'p'.repeat(254)}/n`, problems: [/prefix part must be no more than 253/] },
    { key: `p/${'n'.repeat(64)}`, problems: [/name part must be no more than 63/] },
    { key: '', problems: [/name part must be non-empty/] },
    { key: '/n', problems: [/prefix part must be non-empty/] },
    { key: 'p/', problems: [/name part must be non-empty/] },
    { key: 'P/n', problems: [/prefix part a lowercase RFC 1123 subdomain/] },
    { key: 'a/b/c', problems: [/name part must consist of/] },
    { key: '_a', problems: [/name part must consist of/] },
    { key: 'a.', problems: [/name part must consist of/] },
  ];
  for (const c of cases) {
    it(`${c.problems.length === 0 ? 'accepts' : 'rejects'} key ${JSON.stringify(c.key.slice(0, 30))}`, () => {
      const problems = validateQualifiedName(c.key);
      assert.equal(problems.length, c.problems.length, problems.join('; '));
      c.problems.forEach((re, i) => {
        assert.match(problems[i] ?? '', re);
      });
    });
  }
});

describe('validateLabelValue', () => {
  const cases: { value: string; ok: boolean }[] = [
    { value: '', ok: true },
    { value: 'a', ok: true },
    { value: 'Web_1.x-Y', ok: true },
    { value: 'v'.repeat(63), ok: true },
    { value: 'v'.repeat(64), ok: false },
    { value: '-a', ok: false },
    { value: 'a_', ok: false },
    { value: 'a/b', ok: false },
    { value: 'a b', ok: false },
  ];
  for (const c of cases) {
    it(`${c.ok ? 'accepts' : 'rejects'} value ${JSON.stringify(c.value.slice(0, 20))}`, () => {
      assert.equal(validateLabelValue(c.value).length === 0, c.ok);
    });
  }
});

describe('validateLabels', () => {
  const cases: { labels: unknown; want: { field: string; message: RegExp }[] }[] = [
    { labels: undefined, want: [] },
    { labels: null, want: [] },
    { labels: {}, want: [] },
    { labels: { app: 'web', 'kos.example.com/tier': '' }, want: [] },
    { labels: 'app=web', want: [{ field: 'metadata.labels', message: /must be a map/ }] },
    { labels: ['app'], want: [{ field: 'metadata.labels', message: /must be a map/ }] },
    { labels: { 'bad key': 'x' }, want: [{ field: 'metadata.labels', message: /^"bad key": name part/ }] },
    { labels: { app: '-web' }, want: [{ field: 'metadata.labels[app]', message: /^"-web": a valid label/ }] },
    { labels: { app: 3 }, want: [{ field: 'metadata.labels[app]', message: /must be a string/ }] },
    {
      labels: { _a: '_b' },
      want: [
        { field: 'metadata.labels', message: /^"_a"/ },
        { field: 'metadata.labels[_a]', message: /^"_b"/ },
      ],
    },
  ];
  for (const c of cases) {
    it(`reports ${c.want.length} problem(s) for ${JSON.stringify(c.labels)}`, () => {
      const problems = validateLabels(c.labels);
      assert.equal(problems.length, c.want.length, JSON.stringify(problems));
      c.want.forEach((w, i) => {
        assert.equal(problems[i]?.field, w.field);
        assert.match(problems[i].message, w.message);
      });
    });
  }
});

describe('validateAnnotations', () => {
  const cases: { name: string; annotations: unknown; want: { field: string; message: RegExp }[] }[] = [
    { name: 'no annotations', annotations: undefined, want: [] },
    { name: 'free-form values', annotations: { 'kos.example.com/Note': 'any text, even = and ,' }, want: [] },
    { name: 'an uppercase prefix, checked lowercased', annotations: { 'Kos.Example.com/x': '' }, want: [] },
    {
      name: 'exactly 256 KiB',
      annotations: { a: 'x'.repeat(256 * 1024 - 1) },
      want: [],
    },
    {
      name: 'one byte over 256 KiB',
      annotations: { a: 'x'.repeat(256 * 1024) },
      want: [{ field: 'metadata.annotations', message: /at most 262144 bytes \(has 262145\)/ }],
    },
    {
      name: 'multi-byte characters counted in UTF-8',
      annotations: { a: 'é'.repeat(128 * 1024) },
      want: [{ field: 'metadata.annotations', message: /has 262145/ }],
    },
    {
      name: 'a bad key',
      annotations: { 'a b': 'x' },
      want: [{ field: 'metadata.annotations', message: /^"a b": name part/ }],
    },
    {
      name: 'a non-string value',
      annotations: { a: true },
      want: [{ field: 'metadata.annotations[a]', message: /must be a string/ }],
    },
    {
      name: 'not an object',
      annotations: 7,
      want: [{ field: 'metadata.annotations', message: /must be a map/ }],
    },
  ];
  for (const c of cases) {
    it(`reports ${c.want.length} problem(s) for ${c.name}`, () => {
      const problems = validateAnnotations(c.annotations);
      assert.equal(problems.length, c.want.length, JSON.stringify(problems));
      c.want.forEach((w, i) => {
        assert.equal(problems[i]?.field, w.field);
        assert.match(problems[i].message, w.message);
      });
    });
  }
});

/** A deterministic source of [0, 1) that walks through the given values. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

describe('generateNameSuffix', () => {
  const cases: { name: string; random: () => number; want: string }[] = [
    { name: 'zero picks the first letter', random: sequence(0), want: 'bbbbb' },
    { name: 'just under one picks the last', random: sequence(0.9999999), want: '99999' },
    { name: 'a broken source returning 1 stays in the alphabet', random: sequence(1), want: '99999' },
    {
      name: 'a walk through the alphabet',
      random: sequence(0, 1 / 27, 2 / 27, 20 / 27, 26 / 27),
      want: 'bcd29',
    },
  ];
  for (const c of cases) {
    it(`draws from bcdfghjklmnpqrstvwxz2456789: ${c.name}`, () => {
      assert.equal(generateNameSuffix(c.random), c.want);
    });
  }

  it('gives five characters from the alphabet with Math.random', () => {
    for (let i = 0; i < 200; i++) assert.match(generateNameSuffix(), /^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});

describe('applyGenerateName', () => {
  const cases: { base: string; want: string }[] = [
    { base: 'net-', want: 'net-bbbbb' },
    { base: '', want: 'bbbbb' },
    { base: 'a'.repeat(58), want: `${'a'.repeat(58)}bbbbb` },
    { base: 'a'.repeat(100), want: `${'a'.repeat(58)}bbbbb` },
  ];
  for (const c of cases) {
    it(`appends a suffix to a base of ${c.base.length} characters, keeping the name within 63`, () => {
      const name = applyGenerateName(c.base, sequence(0));
      assert.equal(name, c.want);
      assert.ok(name.length <= 63);
    });
  }
});
