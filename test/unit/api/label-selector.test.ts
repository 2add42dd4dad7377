import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  everythingLabels,
  parseLabelSelector,
  type LabelOperator,
  type LabelRequirement,
} from '../../../src/api/label-selector.js';
import { SelectorError } from '../../../src/api/selector-error.js';

function req(key: string, operator: LabelOperator, ...values: string[]): LabelRequirement {
  return { key, operator, values };
}

describe('parseLabelSelector', () => {
  const valid: { text: string; requirements: LabelRequirement[]; canonical: string }[] = [
    { text: 'tier', requirements: [req('tier', 'exists')], canonical: 'tier' },
    { text: '!tier', requirements: [req('tier', '!')], canonical: '!tier' },
    { text: '  ! tier  ', requirements: [req('tier', '!')], canonical: '!tier' },
    { text: 'tier=web', requirements: [req('tier', '=', 'web')], canonical: 'tier=web' },
    { text: 'tier==web', requirements: [req('tier', '==', 'web')], canonical: 'tier==web' },
    { text: 'tier!=web', requirements: [req('tier', '!=', 'web')], canonical: 'tier!=web' },
    { text: ' tier = web ', requirements: [req('tier', '=', 'web')], canonical: 'tier=web' },
    { text: 'tier=', requirements: [req('tier', '=', '')], canonical: 'tier=' },
    { text: 'tier!=,x', requirements: [req('tier', '!=', ''), req('x', 'exists')], canonical: 'tier!=,x' },
    {
      text: 'env in (prod, dev,prod)',
      requirements: [req('env', 'in', 'dev', 'prod')],
      canonical: 'env in (dev,prod)',
    },
    { text: 'env notin(a)', requirements: [req('env', 'notin', 'a')], canonical: 'env notin (a)' },
    { text: 'env in (a,)', requirements: [req('env', 'in', '', 'a')], canonical: 'env in (,a)' },
    { text: 'env in (,)', requirements: [req('env', 'in', '')], canonical: 'env in (,)' },
    { text: 'gen>5', requirements: [req('gen', 'gt', '5')], canonical: 'gen>5' },
    { text: 'gen < -3', requirements: [req('gen', 'lt', '-3')], canonical: 'gen<-3' },
    {
      text: 'a=in,b=notin',
      requirements: [req('a', '=', 'in'), req('b', '=', 'notin')],
      canonical: 'a=in,b=notin',
    },
    {
      text: 'z=1,a=2,m in (x),a!=3',
      requirements: [req('a', '=', '2'), req('a', '!=', '3'), req('m', 'in', 'x'), req('z', '=', '1')],
      canonical: 'a=2,a!=3,m in (x),z=1',
    },
    {
      text: 'kos.example.com/node=comp-1.rack_2',
      requirements: [req('kos.example.com/node', '=', 'comp-1.rack_2')],
      canonical: 'kos.example.com/node=comp-1.rack_2',
    },
    {
      text: `k=${'v'.repeat(63)}`,
      requirements: [req('k', '=', 'v'.repeat(63))],
      canonical: `k=${'v'.repeat(63)}`,
    },
  ];
  for (const c of valid) {
    it(`parses ${JSON.stringify(c.text)} into its requirements`, () => {
      const s = parseLabelSelector(c.text);
      assert.deepEqual(s.requirements, c.requirements);
      assert.equal(s.isEverything, false);
      assert.equal(s.toString(), c.canonical);
    });
    it(`prints ${JSON.stringify(c.text)} in a form that parses back to itself`, () => {
      const again = parseLabelSelector(parseLabelSelector(c.text).toString());
      assert.deepEqual(again.requirements, c.requirements);
      assert.equal(again.toString(), c.canonical);
    });
  }

  for (const text of [undefined, '', '   ', '\t\n']) {
    it(`selects everything for ${JSON.stringify(text)}`, () => {
      const s = parseLabelSelector(text);
      assert.equal(s, everythingLabels);
      assert.equal(s.isEverything, true);
      assert.equal(s.toString(), '');
      assert.equal(s.matches(undefined), true);
      assert.equal(s.matches({ a: 'b' }), true);
    });
  }

  const invalid: { text: string; reason: RegExp }[] = [
    { text: 'a in ()', reason: /a in \(\): for 'in', 'notin' operators, values set can't be empty/ },
    { text: 'a notin ( )', reason: /values set can't be empty/ },
    { text: '((', reason: /found '\(', expected: !, identifier/ },
    { text: 'a=b,', reason: /found end of string, expected: !, identifier/ },
    { text: ',a', reason: /found ',', expected: !, identifier/ },
    { text: 'a b', reason: /found 'b', expected: in, notin/ },
    { text: 'a in b', reason: /found 'b', expected: '\('/ },
    { text: 'a in (b', reason: /found end of string, expected: ',' or '\)'/ },
    { text: 'a in (b c)', reason: /found 'c', expected: ',' or '\)'/ },
    { text: 'a in ((b))', reason: /found '\(', expected: ',' or '\)'/ },
    { text: 'a=b=c', reason: /found '=', expected: ',' or end of string/ },
    { text: 'a=(b)', reason: /found '\(', expected: identifier/ },
    { text: '!a=b', reason: /found '=', expected: ',' or end of string/ },
    { text: '!', reason: /found end of string, expected: identifier/ },
    { text: 'a>b', reason: /a>b: for 'gt', 'lt' operators, the value must be an integer/ },
    { text: 'a<1.5', reason: /the value must be an integer/ },
    { text: 'a>', reason: /the value must be an integer/ },
    { text: 'a>99999999999999999999', reason: /the value must be an integer/ },
    { text: 'Bad Key=1', reason: /found 'Key'/ },
    { text: '-a=1', reason: /invalid label key "-a": name part must consist of/ },
    {
      text: 'Example.com/a=1',
      reason: /invalid label key "Example.com\/a": prefix part a lowercase RFC 1123/,
    },
    { text: '/a', reason: /invalid label key "\/a": prefix part must be non-empty/ },
    { text: 'a/', reason: /invalid label key "a\/": name part must be non-empty/ },
    { text: 'k'.repeat(64), reason: /name part must be no more than 63 characters/ },
    { text: `${'p'.repeat(254)}/k`, reason: /prefix part must be no more than 253 characters/ },
    { text: 'a=-b', reason: /invalid label value "-b" for key "a"/ },
    { text: `a=${'v'.repeat(64)}`, reason: /must be no more than 63 characters/ },
    { text: 'a in (x,_y)', reason: /invalid label value "_y"/ },
  ];
  for (const c of invalid) {
    it(`rejects ${JSON.stringify(c.text)} with a SelectorError naming the problem`, () => {
      assert.throws(
        () => parseLabelSelector(c.text),
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

describe('LabelSelector.matches', () => {
  const labels = { tier: 'web', env: 'prod', gen: '12', big: '9007199254740993', empty: '' };
  const cases: { selector: string; labels: Record<string, string> | undefined; want: boolean }[] = [
    { selector: 'tier', labels, want: true },
    { selector: 'nope', labels, want: false },
    { selector: '!tier', labels, want: false },
    { selector: '!nope', labels, want: true },
    { selector: '!nope', labels: undefined, want: true },
    { selector: 'tier', labels: undefined, want: false },
    { selector: 'tier=web', labels, want: true },
    { selector: 'tier==web', labels, want: true },
    { selector: 'tier=db', labels, want: false },
    { selector: 'tier!=db', labels, want: true },
    { selector: 'tier!=web', labels, want: false },
    { selector: 'nope!=x', labels, want: true },
    { selector: 'nope!=x', labels: undefined, want: true },
    { selector: 'nope=x', labels: undefined, want: false },
    { selector: 'empty=', labels, want: true },
    { selector: 'nope=', labels, want: false },
    { selector: 'empty', labels, want: true },
    { selector: 'env in (dev,prod)', labels, want: true },
    { selector: 'env in (dev,test)', labels, want: false },
    { selector: 'nope in (dev,prod)', labels, want: false },
    { selector: 'env notin (dev,prod)', labels, want: false },
    { selector: 'env notin (dev,test)', labels, want: true },
    { selector: 'nope notin (dev,test)', labels, want: true },
    { selector: 'empty in (,a)', labels, want: true },
    { selector: 'env in (a,b,c,d,e,f,g,h,i,prod)', labels, want: true },
    { selector: 'env notin (a,b,c,d,e,f,g,h,i,prod)', labels, want: false },
    { selector: 'nope notin (a,b,c,d,e,f,g,h,i,prod)', labels, want: true },
    { selector: 'gen>11', labels, want: true },
    { selector: 'gen>12', labels, want: false },
    { selector: 'gen<13', labels, want: true },
    { selector: 'gen<-1', labels, want: false },
    { selector: 'gen>-1', labels, want: true },
    { selector: 'tier>1', labels, want: false },
    { selector: 'nope>1', labels, want: false },
    { selector: 'nope<1', labels, want: false },
    { selector: 'empty<1', labels, want: false },
    { selector: 'big>9007199254740992', labels, want: true },
    { selector: 'big<9007199254740994', labels, want: true },
    { selector: 'big>9007199254740993', labels, want: false },
    { selector: 'gen<9223372036854775807', labels, want: true },
    { selector: 'tier=web,env=prod', labels, want: true },
    { selector: 'tier=web,env=dev', labels, want: false },
    { selector: 'tier=web,tier=db', labels, want: false },
    { selector: 'constructor', labels: {}, want: false },
    { selector: '!constructor', labels: {}, want: true },
    { selector: 'toString=x', labels: {}, want: false },
    { selector: 'toString!=x', labels: {}, want: true },
    { selector: 'hasOwnProperty in (a,b)', labels: {}, want: false },
    { selector: 'valueOf notin (a,b)', labels: {}, want: true },
    { selector: 'constructor', labels: { constructor: 'x' }, want: true },
  ];
  for (const c of cases) {
    it(`${c.want ? 'matches' : 'does not match'} ${JSON.stringify(c.selector)} against ${JSON.stringify(c.labels)}`, () => {
      assert.equal(parseLabelSelector(c.selector).matches(c.labels), c.want);
    });
  }

  it('returns a frozen selector whose requirements cannot be changed', () => {
    const s = parseLabelSelector('a in (x,y)');
    assert.ok(Object.isFrozen(s));
    assert.ok(Object.isFrozen(s.requirements[0]));
    assert.ok(Object.isFrozen(s.requirements[0]?.values));
  });
});
