import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SEED_RULES, classifyNode, prefixRule } from '../../../src/cluster/classify.js';
import { loadProfile } from '../../../src/cluster/ops-files.js';

function purposes(name: string, rules = SEED_RULES): string {
  const c = classifyNode(name, rules);
  return c.kind === 'classified' ? c.purposes.join(',') : 'unclassified';
}

describe('classifyNode with the seed naming conventions', () => {
  const cases: [string, string][] = [
    ['ketcd0', 'ketcd'],
    ['ketcd12', 'ketcd'],
    ['kapi0', 'kapi'],
    ['kctrl0', 'kctrl'],
    ['netcd2', 'netcd'],
    ['napi0', 'napi'],
    ['nctrl0', 'nctrl,netcd-op'],
    ['comp0', 'comp'],
    ['comp1234', 'comp'],
    ['data0', 'data'],
    ['base0', 'base'],
    ['obs0', 'obs'],
    // A cluster-name prefix before a separator is fine.
    ['r12s24-kapi0', 'kapi'],
    ['r12s24.comp7', 'comp'],
    ['r12s24_netcd1', 'netcd'],
    // Reported, not guessed:
    ['kapi', 'unclassified'],
    ['xkapi0', 'unclassified'],
    ['kapi0x', 'unclassified'],
    ['ctrl0', 'unclassified'],
    ['mgmt0', 'unclassified'],
    ['etcd0', 'unclassified'],
    ['lbpip0', 'unclassified'],
    ['worker-1', 'unclassified'],
    ['KAPI0', 'unclassified'],
  ];
  for (const [name, want] of cases) {
    it(`${name} -> ${want}`, () => {
      assert.equal(purposes(name), want);
    });
  }
});

describe('classifyNode with the scaletest profile rules', async () => {
  const { rules } = await loadProfile('scaletest');
  const cases: [string, string][] = [
    ['ctrl0', 'kctrl,kapi,ketcd'],
    ['ctrl2', 'kctrl,kapi,ketcd'],
    ['mgmt0', 'data,netcd,napi,nctrl,netcd-op'],
    ['comp17', 'comp'],
    // The seed names are not part of this pattern.
    ['kctrl0', 'unclassified'],
    ['kapi0', 'unclassified'],
    ['base0', 'unclassified'],
  ];
  for (const [name, want] of cases) {
    it(`${name} -> ${want}`, () => {
      assert.equal(purposes(name, rules), want);
    });
  }
});

describe('classification rules', () => {
  it('try rules in order, so a profile rule overrides a seed convention', () => {
    const rules = [prefixRule('comp', ['comp', 'obs']), ...SEED_RULES];
    assert.equal(purposes('comp3', rules), 'comp,obs');
    assert.equal(purposes('kapi0', rules), 'kapi');
  });

  it('take a prefix literally', () => {
    const rules = [prefixRule('a.b', ['base'])];
    assert.equal(purposes('a.b1', rules), 'base');
    assert.equal(purposes('axb1', rules), 'unclassified');
  });
});
