import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AgentMetrics } from '../../../../src/testbed/comp/agent-metrics.js';
import { parseSamples, type Sample } from '../../../../src/testbed/exporter/prom-text.js';
import { fakeAgent, observeAll, populatedAgentMetrics } from '../../../support/agent-metrics-fixture.js';

function sorted(samples: Sample[]): string[] {
  return samples.map((s) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())} ${s.value}`).sort();
}

/** The lean text against prom-client's own render of the same registry: the old /metrics. */
async function assertSameAsRegistry(m: AgentMetrics): Promise<void> {
  const lean = await m.metrics();
  const registry = await m.registry.metrics();
  assert.deepEqual(sorted(parseSamples(lean)), sorted(parseSamples(registry)));
  assert.equal(lean, registry);
}

describe('agent group metrics text', () => {
  it('is what the prom-client registry renders, sample for sample and byte for byte', async () => {
    const { metrics } = populatedAgentMetrics('comp-group3', 40, 2_000);
    const samples = parseSamples(await metrics.metrics());
    assert.ok(samples.length > 40 * 3 + 7 * 22, `${samples.length} samples`);
    assert.ok(samples.every((s) => s.labels['group'] === 'comp-group3'));
    await assertSameAsRegistry(metrics);
  });

  it('follows later observations, gauge changes and agents leaving', async () => {
    const { metrics, agents } = populatedAgentMetrics('g', 5, 10);
    await assertSameAsRegistry(metrics);
    observeAll(metrics, 300);
    const [first, , third] = agents;
    assert.ok(first !== undefined && third !== undefined);
    first.queueLength = 9;
    first.remoteIfcCount = 0.5;
    metrics.removeAgent(third);
    await assertSameAsRegistry(metrics);
    assert.match(await metrics.metrics(), /^kos_agent_group_agents\{group="g"\} 4$/m);
  });

  it('escapes a group and node name as the registry does', async () => {
    const m = new AgentMetrics('a"b\\c\nd', { processMetrics: false });
    m.addAgent({ ...fakeAgent(1), node: 'x"y\\z' });
    observeAll(m, 20);
    await assertSameAsRegistry(m);
  });

  it('with no agents and no observations, is the HELP and TYPE lines and the group gauges', async () => {
    await assertSameAsRegistry(new AgentMetrics('empty', { processMetrics: false }));
  });
});
