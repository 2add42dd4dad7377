import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinProfileNames, loadProfile } from '../../../src/cluster/ops-files.js';
import { parseProfile } from '../../../src/cluster/profile.js';
import { KosTestError } from '../../../src/util/errors.js';

describe('shipped profiles', () => {
  it('are r12s24 and scaletest', async () => {
    assert.deepEqual(await builtinProfileNames(), ['r12s24', 'scaletest']);
  });

  it('r12s24 holds the seed table: 15 nodes (the prose of the seed says 20; its table adds up to 15), 4 CPUs each, 32/12/8 GiB', async () => {
    const p = await loadProfile('r12s24');
    const table = [...p.expectations].map(
      ([k, e]) => `${k}:${e.count}:${e.cpus ?? '-'}:${e.memoryGiB ?? '-'}`,
    );
    assert.deepEqual(table, [
      'base:1:4:32',
      'ketcd:3:4:12',
      'kapi:1:4:12',
      'kctrl:1:4:12',
      'netcd:3:4:12',
      'napi:1:4:12',
      'nctrl:1:4:12',
      'netcd-op:1:-:-',
      'data:1:4:12',
      'comp:3:4:8',
    ]);
    const nodes = [...p.expectations]
      .filter(([k]) => k !== 'netcd-op')
      .reduce((n, [, e]) => n + (e.count ?? 0), 0);
    assert.equal(nodes, 15);
    assert.equal(p.memoryTolerance, 0.1);
  });
});

describe('parseProfile rejects bad profiles with one line naming the problem', () => {
  const cases: { name: string; text: string; message: RegExp }[] = [
    {
      name: 'an unknown purpose',
      text: 'name: p\npurposes:\n  kcomp: { count: 1 }\n',
      message: /^bad profile p\.yaml: unknown purpose "kcomp" \(use one of ketcd, kapi, .*obs\)$/,
    },
    {
      name: 'an unknown purpose in a rule',
      text: 'name: p\nclassification:\n  rules: [{ prefix: w, purposes: [worker] }]\npurposes: {}\n',
      message: /unknown purpose "worker"/,
    },
    {
      name: 'a bad regular expression',
      text: 'name: p\nclassification:\n  rules: [{ match: "comp(", purposes: [comp] }]\npurposes: {}\n',
      message: /match "comp\(" is not a regular expression/,
    },
    { name: 'text that is not YAML', text: 'name: [p\n', message: /^bad profile p\.yaml: not YAML/ },
    { name: 'a missing purposes table', text: 'name: p\n', message: /purposes: / },
    {
      name: 'a misspelt field',
      text: 'name: p\npurposes:\n  comp: { cpu: 4 }\n',
      message: /purposes\.comp: .*cpu/,
    },
    {
      name: 'a negative count',
      text: 'name: p\npurposes:\n  comp: { count: -1 }\n',
      message: /purposes\.comp\.count/,
    },
    {
      name: 'count and minCount together',
      text: 'name: p\npurposes:\n  comp: { count: 1, minCount: 1 }\n',
      message: /comp has both count and minCount/,
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name}`, () => {
      assert.throws(
        () => parseProfile(c.text, 'p.yaml'),
        (e: unknown) => e instanceof KosTestError && c.message.test(e.message) && !e.message.includes('\n'),
      );
    });
  }

  it('accepts a user profile with a regex rule before the seed rules', () => {
    const p = parseProfile(
      'name: mine\nclassification:\n  rules: [{ match: "^w[0-9]+$", purposes: [comp] }]\npurposes:\n  comp: { minCount: 2 }\n',
      'mine.yaml',
    );
    assert.equal(p.rules[0]?.describe, '/^w[0-9]+$/');
    assert.ok(p.rules.length > 1, 'seed rules follow');
  });
});

describe('loadProfile', () => {
  it('names the shipped profiles when the name is unknown', async () => {
    await assert.rejects(
      loadProfile('r99'),
      /^KosTestError: unknown profile: r99 \(use one of r12s24, scaletest, or the path of a profile file\)$/,
    );
  });
  it('names the file when a path cannot be read', async () => {
    await assert.rejects(
      loadProfile('/nonexistent/p.yaml'),
      /cannot read profile file: \/nonexistent\/p\.yaml \(ENOENT\)/,
    );
  });
});
