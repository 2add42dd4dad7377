import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  everythingFields,
  parseFieldSelector,
  type FieldRequirement,
} from '../../../src/api/field-selector.js';
import { SelectorError } from '../../../src/api/selector-error.js';

describe('parseFieldSelector', () => {
  const valid: { text: string; requirements: FieldRequirement[]; canonical: string }[] = [
    {
      text: 'spec.node=comp3',
      requirements: [{ field: 'spec.node', operator: '=', value: 'comp3' }],
      canonical: 'spec.node=comp3',
    },
    {
      text: 'spec.node==comp3',
      requirements: [{ field: 'spec.node', operator: '=', value: 'comp3' }],
      canonical: 'spec.node=comp3',
    },
    {
      text: 'spec.node!=comp3',
      requirements: [{ field: 'spec.node', operator: '!=', value: 'comp3' }],
      canonical: 'spec.node!=comp3',
    },
    {
      text: 'spec.node=',
      requirements: [{ field: 'spec.node', operator: '=', value: '' }],
      canonical: 'spec.node=',
    },
    {
      text: 'b=2,a!=1',
      requirements: [
        { field: 'b', operator: '=', value: '2' },
        { field: 'a', operator: '!=', value: '1' },
      ],
      canonical: 'b=2,a!=1',
    },
    {
      text: 'a=1,,b=2,',
      requirements: [
        { field: 'a', operator: '=', value: '1' },
        { field: 'b', operator: '=', value: '2' },
      ],
      canonical: 'a=1,b=2',
    },
    {
      text: 'a=x\\,y\\=z\\!w\\\\v',
      requirements: [{ field: 'a', operator: '=', value: 'x,y=z!w\\v' }],
      canonical: 'a=x\\,y\\=z!w\\\\v',
    },
    { text: 'a=!b', requirements: [{ field: 'a', operator: '=', value: '!b' }], canonical: 'a=!b' },
    { text: 'a=\\=b', requirements: [{ field: 'a', operator: '=', value: '=b' }], canonical: 'a=\\=b' },
    { text: 'a!=!', requirements: [{ field: 'a', operator: '!=', value: '!' }], canonical: 'a!=!' },
    {
      text: 'a = b',
      requirements: [{ field: 'a ', operator: '=', value: ' b' }],
      canonical: 'a = b',
    },
  ];
  for (const c of valid) {
    it(`parses ${JSON.stringify(c.text)} into its requirements`, () => {
      const s = parseFieldSelector(c.text);
      assert.deepEqual(s.requirements, c.requirements);
      assert.equal(s.isEverything, false);
      assert.equal(s.toString(), c.canonical);
    });
    it(`prints ${JSON.stringify(c.text)} in a form that parses back to itself`, () => {
      const again = parseFieldSelector(parseFieldSelector(c.text).toString());
      assert.deepEqual(again.requirements, c.requirements);
    });
  }

  for (const text of [undefined, '', ',', ',,']) {
    it(`selects everything for ${JSON.stringify(text)}`, () => {
      const s = parseFieldSelector(text);
      assert.equal(s, everythingFields);
      assert.equal(s.isEverything, true);
      assert.equal(s.toString(), '');
      assert.equal(s.matches({}), true);
      assert.equal(s.exactValue('a'), undefined);
    });
  }

  const invalid: { text: string; reason: RegExp }[] = [
    { text: 'novalue', reason: /"novalue": expected field=value, field==value or field!=value/ },
    { text: 'a=1,b', reason: /"b": expected field=value/ },
    { text: ' ', reason: /" ": expected field=value/ },
    { text: '=x', reason: /"=x": field name is empty/ },
    { text: '!=x', reason: /"!=x": field name is empty/ },
    { text: 'a=b\\x', reason: /"a=b\\x": invalid escape sequence "\\x"/ },
    { text: 'a=b\\', reason: /invalid escape sequence "\\"/ },
    { text: 'a=b=c', reason: /"a=b=c": unescaped '=' in the value/ },
    { text: 'a!==c', reason: /unescaped '=' in the value/ },
    { text: 'a\\=b', reason: /expected field=value/ },
  ];
  for (const c of invalid) {
    it(`rejects ${JSON.stringify(c.text)} with a SelectorError naming the problem`, () => {
      assert.throws(
        () => parseFieldSelector(c.text),
        (e: unknown) => {
          assert.ok(e instanceof SelectorError);
          assert.equal(e.selectorText, c.text);
          assert.match(e.reason, c.reason);
          assert.equal(e.message, `unable to parse requirement: ${e.reason}`);
          return true;
        },
      );
    });
  }
});

describe('FieldSelector.matches', () => {
  const fields = { 'metadata.name': 'p00', 'spec.node': 'comp3', 'status.vni': '' };
  const cases: { selector: string; fields: Record<string, string>; want: boolean }[] = [
    { selector: 'spec.node=comp3', fields, want: true },
    { selector: 'spec.node==comp3', fields, want: true },
    { selector: 'spec.node=comp4', fields, want: false },
    { selector: 'spec.node!=comp4', fields, want: true },
    { selector: 'spec.node!=comp3', fields, want: false },
    { selector: 'spec.node=comp3,metadata.name=p00', fields, want: true },
    { selector: 'spec.node=comp3,metadata.name=p01', fields, want: false },
    { selector: 'status.vni=', fields, want: true },
    { selector: 'spec.missing=', fields, want: true },
    { selector: 'spec.missing!=', fields, want: false },
    { selector: 'spec.missing=x', fields, want: false },
    { selector: 'spec.missing!=x', fields, want: true },
    { selector: 'constructor=', fields: {}, want: true },
    { selector: 'toString!=', fields: {}, want: false },
    { selector: 'a=x\\,y', fields: { a: 'x,y' }, want: true },
  ];
  for (const c of cases) {
    it(`${c.want ? 'matches' : 'does not match'} ${JSON.stringify(c.selector)} against ${JSON.stringify(c.fields)}`, () => {
      assert.equal(parseFieldSelector(c.selector).matches(c.fields), c.want);
    });
  }
});

describe('FieldSelector.exactValue', () => {
  const cases: { selector: string; field: string; want: string | undefined }[] = [
    { selector: 'spec.node=comp3', field: 'spec.node', want: 'comp3' },
    { selector: 'spec.node==comp3', field: 'spec.node', want: 'comp3' },
    { selector: 'spec.node=', field: 'spec.node', want: '' },
    { selector: 'spec.node!=comp3', field: 'spec.node', want: undefined },
    { selector: 'metadata.name=a', field: 'spec.node', want: undefined },
    { selector: 'spec.node!=x,spec.node=y,spec.node=z', field: 'spec.node', want: 'y' },
    { selector: 'a=x\\=y', field: 'a', want: 'x=y' },
  ];
  for (const c of cases) {
    it(`gives ${JSON.stringify(c.want)} for ${c.field} in ${JSON.stringify(c.selector)}`, () => {
      assert.equal(parseFieldSelector(c.selector).exactValue(c.field), c.want);
    });
  }
});
