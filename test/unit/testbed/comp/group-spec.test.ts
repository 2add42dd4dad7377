import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compGroupNodeSpecSchema } from '../../../../src/testbed/comp/comp-group-spec.js';

const good = {
  component: 'comp',
  name: 'comp-group0',
  agents: [{ node: 'comp0', hostIP: '127.10.0.1', apiServer: 'http://127.2.0.1:40000' }],
  metricsHost: '127.10.0.1',
};

describe('compGroupNodeSpecSchema', () => {
  it('fills the defaults', () => {
    const spec = compGroupNodeSpecSchema.parse(good);
    assert.equal(spec.fabricDelay, '0ms');
    assert.equal(spec.metricsPort, 0);
  });

  const bad: { why: string; spec: Record<string, unknown>; path: string; message: RegExp }[] = [
    {
      why: 'a bad fabric delay',
      spec: { ...good, fabricDelay: 'exp:' },
      path: 'fabricDelay',
      message: /"exp:"/,
    },
    { why: 'no agents', spec: { ...good, agents: [] }, path: 'agents', message: /./ },
    {
      why: 'a host IP off loopback',
      spec: { ...good, agents: [{ ...good.agents[0], hostIP: '10.0.0.1' }] },
      path: 'agents.0.hostIP',
      message: /127\.0\.0\.0\/8/,
    },
    {
      why: 'an apiserver that is no URL',
      spec: { ...good, agents: [{ ...good.agents[0], apiServer: '127.2.0.1:40000' }] },
      path: 'agents.0.apiServer',
      message: /./,
    },
    { why: 'a port out of range', spec: { ...good, metricsPort: 70000 }, path: 'metricsPort', message: /./ },
  ];
  for (const c of bad) {
    it(`rejects ${c.why}`, () => {
      const r = compGroupNodeSpecSchema.safeParse(c.spec);
      assert.ok(!r.success);
      const issue = r.error.issues[0];
      assert.ok(issue !== undefined);
      assert.equal(issue.path.join('.'), c.path);
      assert.match(issue.message, c.message);
    });
  }
});
