import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSpecText } from '../../../../src/experiment/spec/spec-load.js';
import { KosTestError } from '../../../../src/util/errors.js';

const good = `
X: 20
factors: {OPS: [10], NCA: [20, 40], POP: [1X, 3X], NNA: [1]}
cruise: 25s
`;

function errorOf(text: string): KosTestError {
  try {
    parseSpecText('s.yaml', text);
  } catch (e: unknown) {
    assert.ok(e instanceof KosTestError, `not a KosTestError: ${String(e)}`);
    return e;
  }
  assert.fail('the spec was accepted');
}

describe('experiment spec errors: one line naming the bad value and the fix', () => {
  const cases: { name: string; text: string; message: RegExp; fix: RegExp }[] = [
    {
      name: 'a bad factor name',
      text: good.replace('NNA: [1]', 'NNA: [1], NCX: [3]'),
      message: /unknown factor: NCX/,
      fix: /OPS, NCA, POP, NNA, NKA/,
    },
    {
      name: 'a level of the wrong type',
      text: good.replace('NCA: [20, 40]', 'NCA: [20, many]'),
      message: /factors\.NCA\[1\] is bad .*: "many"/,
      fix: /whole number|number/,
    },
    {
      name: 'a fractional agent count',
      text: good.replace('NCA: [20, 40]', 'NCA: [20, 2.5]'),
      message: /factors\.NCA\[1\] is bad .*: 2\.5/,
      fix: /whole number/,
    },
    {
      name: 'a POP not a multiple of X',
      text: good.replace('POP: [1X, 3X]', 'POP: [1X, 50]'),
      message: /factors\.POP\[1\] is not a multiple of X=20: 50/,
      fix: /multiples of X such as 3X|change X/,
    },
    {
      name: 'a POP with another unit',
      text: good.replace('POP: [1X, 3X]', 'POP: [1X, 3Y]'),
      message: /factors\.POP\[1\] is bad \(a POP level is a whole multiple of X.*: "3Y"/,
      fix: /schema/,
    },
    {
      name: 'a cluster target without a kubeconfig',
      text: `${good}target: {kind: cluster, prometheusUrl: 'http://127.0.0.1:9090'}\n`,
      message: /a cluster target needs a kubeconfig: target\.kubeconfig is missing/,
      fix: /add target\.kubeconfig/,
    },
    {
      name: 'an unknown target kind',
      text: `${good}target: {kind: cloud}\n`,
      message: /target\.kind is bad.*"cloud"/,
      fix: /testbed|cluster/,
    },
    {
      name: 'a missing cruise',
      text: good.replace('cruise: 25s', ''),
      message: /cruise is missing/,
      fix: /add cruise/,
    },
    {
      name: 'a bad duration',
      text: good.replace('cruise: 25s', 'cruise: 25 seconds'),
      message: /cruise is bad \(a duration is seconds or a string such as 30s.*"25 seconds"/,
      fix: /schema/,
    },
    {
      name: 'an unknown option',
      text: `${good}replicate: 3\n`,
      message: /unknown option: replicate/,
      fix: /spelling/,
    },
    {
      name: 'an empty file',
      text: '',
      message: /^s\.yaml: the spec is empty \(/,
      fix: /YAML options .*kos-test experiment schema .*examples\//,
    },
    {
      name: 'a file of comments only',
      text: '# my experiment\n',
      message: /^s\.yaml: the spec is empty \(/,
      fix: /YAML options/,
    },
    {
      name: 'a list where the options belong',
      text: '- X: 20\n',
      message: /^s\.yaml: the spec is a list, not a mapping of options: \[\{"X":20\}\] \(/,
      fix: /YAML options/,
    },
    {
      name: 'a word where the options belong',
      text: 'quickstart\n',
      message: /^s\.yaml: the spec is a string, not a mapping of options: "quickstart" \(/,
      fix: /YAML options/,
    },
    {
      name: 'broken YAML',
      text: 'X: [1\n',
      message: /not valid YAML/,
      fix: /syntax/,
    },
  ];
  for (const c of cases) {
    it(`refuses ${c.name}`, () => {
      const e = errorOf(c.text);
      assert.match(e.message, c.message);
      assert.match(e.fix ?? '', c.fix);
      assert.ok(!e.message.includes('\n'), `more than one line: ${e.message}`);
      assert.match(e.message, /^s\.yaml: /);
    });
  }

  it('accepts the good spec and fills the documented defaults', () => {
    const r = parseSpecText('s.yaml', good);
    assert.deepEqual(r.spec.factors.NKA, [1]);
    assert.deepEqual(
      r.popLevels.map((p) => p.count),
      [20, 60],
    );
    assert.equal(r.cruiseS, 25);
    assert.equal(r.spec.target.kind, 'testbed');
    assert.equal(r.spec.driver.numNets, 10);
    assert.equal(r.spec.order, 'listed');
    assert.equal(r.graceWaitS, 15);
  });
});
