/**
 * An agent group's metrics with real observations: every metric and label value, spread over
 * every bucket (and below and above them), and per-node gauges from mutable fake agents. Used by
 * the renderer's equivalence test and by the agent-metrics-render bench.
 */
import { AgentMetrics, type AgentGaugeSource } from '../../src/testbed/comp/agent-metrics.js';
import type { FabricOp } from '../../src/testbed/comp/fabric.js';
import type { LastClientWriteLabel } from '../../src/testbed/comp/write-times.js';

const LCW: LastClientWriteLabel[] = ['na', 'subnet', '1st_local_na', '1st_local_na_subnet'];
const OPS: FabricOp[] = ['CreateLocalIfc', 'DeleteLocalIfc', 'CreateRemoteIfc', 'DeleteRemoteIfc'];

export type FakeAgent = { -readonly [K in keyof AgentGaugeSource]: AgentGaugeSource[K] };

export function fakeAgent(i: number): FakeAgent {
  return {
    node: `comp${i}`,
    localIfcCount: i % 3,
    remoteIfcCount: 7 * i,
    watchCount: 1 + (i % 4),
    queueLength: i % 2,
  };
}

/** `rounds` observations on each histogram family, in a varying order of label values. */
export function observeAll(m: AgentMetrics, rounds: number): void {
  for (let r = 0; r < rounds; r++) {
    const seconds = ((r * 7919) % 3000) / 10 - 0.2; // -0.2 .. 299.8 s
    const lcw = LCW[r % LCW.length] ?? 'na';
    const op = OPS[(r >> 1) % OPS.length] ?? 'CreateLocalIfc';
    m.observeLocalIfc(lcw, seconds);
    if (r % 3 === 0) m.observeRemoteIfc(lcw, seconds / 3);
    if (r % 5 === 0) m.observeStatusUpdate(lcw, seconds * 1.1);
    if (r % 7 === 0) m.observeImplToRemote(lcw, seconds);
    m.observeFabric(op, r % 11 !== 0, seconds / 1000);
    m.observeFabricWait(op, seconds / 100);
    m.observeStatusRoundTrip(r % 13 === 0 ? 'nf' : r % 17 === 0 ? 'err' : 'ok', seconds / 50);
  }
}

/** A group's metrics as the testbed makes them (no process metrics), with agents and observations. */
export function populatedAgentMetrics(
  group: string,
  agentCount: number,
  observations: number,
): { metrics: AgentMetrics; agents: FakeAgent[] } {
  const metrics = new AgentMetrics(group, { processMetrics: false });
  const agents = Array.from({ length: agentCount }, (_, i) => fakeAgent(i));
  for (const a of agents) metrics.addAgent(a);
  observeAll(metrics, observations);
  return { metrics, agents };
}
