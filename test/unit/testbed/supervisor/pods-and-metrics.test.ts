import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KosObject } from '../../../../src/api/meta.js';
import { podRestartsText, podStatusText } from '../../../../src/api/core/pod-type.js';
import {
  nodeMetricsJson,
  podMetricsJson,
  readingOf,
  usageBetween,
  usageQuantities,
} from '../../../../src/testbed/kapi/resource-metrics.js';
import { podChangeEvents, podObject, type PodTruth } from '../../../../src/testbed/supervisor/pod-objects.js';

const T0 = Date.parse('2026-12-06T21:00:00Z');
const running: PodTruth = {
  workload: 'network-apiserver',
  node: 'napi1',
  address: '127.2.0.2',
  pid: 4242,
  running: true,
  restarts: 0,
  startedAtMs: T0,
};
const killed: PodTruth = {
  ...running,
  running: false,
  exit: { code: null, signal: 'SIGKILL', atMs: T0 + 60_000 },
};
const owner = { kind: 'Deployment' as const, name: 'network-apiserver', uid: 'u1' };

describe('testbed pods follow their processes', () => {
  it('a running process: Running, 1/1 ready, on its node, owned by its Deployment', () => {
    const pod = podObject(running, owner);
    assert.equal(pod.metadata.name, 'network-apiserver-napi1');
    assert.equal(pod.spec?.nodeName, 'napi1');
    assert.equal(podStatusText(pod), 'Running');
    assert.equal(pod.status?.podIP, '127.2.0.2');
    assert.deepEqual(pod.metadata.ownerReferences?.[0]?.uid, 'u1');
  });

  it('a killed process: Error, not ready, exit code 128+9, finished when it died', () => {
    const pod = podObject(killed, owner);
    assert.equal(podStatusText(pod), 'Error');
    const status = pod.status as {
      containerStatuses: { ready: boolean; state: { terminated: Record<string, unknown> } }[];
    };
    const [container] = status.containerStatuses;
    assert.ok(container !== undefined);
    assert.equal(container.ready, false);
    assert.equal(container.state.terminated.exitCode, 137);
    assert.equal(container.state.terminated.finishedAt, '2026-12-06T21:01:00Z');
  });

  it('a crashed process waiting to restart: CrashLoopBackOff, its exit as the last state', () => {
    const pod = podObject({ ...killed, state: 'CrashLoopBackOff' }, owner);
    assert.equal(podStatusText(pod), 'CrashLoopBackOff');
    const [container] = (
      pod.status as {
        containerStatuses: {
          state: { waiting?: { reason: string } };
          lastState: { terminated?: { exitCode: number } };
        }[];
      }
    ).containerStatuses;
    assert.ok(container !== undefined);
    assert.equal(container.state.waiting?.reason, 'CrashLoopBackOff');
    assert.equal(container.lastState.terminated?.exitCode, 137);
  });

  it('a restarted process: Running, its restart counted, the crash as the last state', () => {
    const pod = podObject(
      { ...running, pid: 5000, restarts: 1, lastExit: killed.exit, state: 'running' },
      owner,
    );
    assert.equal(podStatusText(pod), 'Running');
    const [container] = (
      pod.status as {
        containerStatuses: { restartCount: number; lastState: { terminated?: { exitCode: number } } }[];
      }
    ).containerStatuses;
    assert.ok(container !== undefined);
    assert.equal(container.restartCount, 1);
    assert.equal(container.lastState.terminated?.exitCode, 137);
  });

  const eventCases: [string, PodTruth | undefined, PodTruth, string[]][] = [
    ['first sight of a running process', undefined, running, []],
    ['no change', running, running, []],
    ['it died', running, killed, ['Warning ProcessExited']],
    [
      'it died and waits to restart',
      running,
      { ...killed, state: 'CrashLoopBackOff' },
      ['Warning ProcessExited', 'Warning BackOff'],
    ],
    ['still dead', killed, killed, []],
    ['restarted by the testbed', running, { ...running, pid: 5000, restarts: 1 }, ['Normal Started']],
    [
      'killed and restarted between two passes',
      running,
      { ...running, pid: 5000, restarts: 1, lastExit: killed.exit },
      ['Warning ProcessExited', 'Normal Started'],
    ],
    [
      'restarted after an exit already seen',
      killed,
      { ...running, pid: 5000, restarts: 1, lastExit: killed.exit },
      ['Normal Started'],
    ],
  ];
  for (const [what, before, now, expected] of eventCases) {
    it(`events: ${what}`, () => {
      assert.deepEqual(
        podChangeEvents(before, now).map((e) => `${e.type} ${e.reason}`),
        expected,
      );
    });
  }

  it("RESTARTS says how long ago the last one ended, as kubectl's column does", () => {
    const pod = {
      metadata: {},
      status: {
        containerStatuses: [
          { restartCount: 2, lastState: { terminated: { finishedAt: '2026-12-06T21:00:00Z' } } },
        ],
      },
    } as unknown as KosObject;
    assert.equal(podRestartsText(pod, T0 + 40_000), '2 (40s ago)');
  });
});

describe('metrics.k8s.io from the cost exporter', () => {
  const text = (cpu0: number, cpu1: number): string =>
    [
      '# TYPE container_cpu_usage_seconds_total counter',
      `container_cpu_usage_seconds_total{id="/",node="napi0",purpose="napi"} ${cpu0}`,
      `container_cpu_usage_seconds_total{id="/",node="comp0",purpose="comp"} ${cpu1}`,
      'container_memory_working_set_bytes{id="/",node="napi0",purpose="napi"} 52428800',
      'container_memory_working_set_bytes{id="/",node="comp0",purpose="comp"} 1048576',
      'container_cpu_usage_seconds_total{id="/other",node="napi0"} 99',
    ].join('\n');

  it('rates CPU between two readings and keeps the working set', () => {
    const usage = usageBetween(readingOf(text(10, 1), T0), readingOf(text(10.5, 1.25), T0 + 2000));
    assert.deepEqual(usage.get('napi0'), { cpuCores: 0.25, memoryBytes: 52428800 });
    assert.deepEqual(usageQuantities(usage.get('comp0') ?? { cpuCores: 0, memoryBytes: 0 }), {
      cpu: '125000000n',
      memory: '1024Ki',
    });
  });

  it('serves NodeMetrics and the PodMetrics of pods on measured nodes; 404 for an unmeasured one', () => {
    const w = {
      usage: usageBetween(readingOf(text(10, 1), T0), readingOf(text(11, 2), T0 + 1000)),
      endMs: T0 + 1000,
      windowMs: 1000,
    };
    const nodes = JSON.parse(nodeMetricsJson(w, undefined)) as {
      kind: string;
      items: { metadata: { name: string } }[];
    };
    assert.equal(nodes.kind, 'NodeMetricsList');
    assert.deepEqual(
      nodes.items.map((i) => i.metadata.name),
      ['comp0', 'napi0'],
    );
    const pod = podObject({ ...running, node: 'napi0' }, owner);
    const pods = JSON.parse(podMetricsJson(w, [pod], undefined)) as {
      items: { containers: { usage: unknown }[] }[];
    };
    assert.deepEqual(pods.items[0]?.containers[0]?.usage, { cpu: '1000000000n', memory: '51200Ki' });
    assert.throws(() => nodeMetricsJson(w, 'napi9'), /not found/);
  });
});
