import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { APPS_RESOURCES } from '../../../../src/api/apps/apps-resources.js';
import { CORE_RESOURCES } from '../../../../src/api/core/core-resources.js';
import { clusterTargetSchema } from '../../../../src/experiment/spec/spec-schema.js';
import { frontRouteOf } from '../../../../src/testbed/kapi/front-routes.js';
import { scaleOf } from '../../../../src/testbed/kapi/scale-subresource.js';
import { planCompNodes } from '../../../../src/testbed/supervisor/comp-nodes.js';
import { testbedConfigSchema } from '../../../../src/testbed/supervisor/testbed-config.js';
import { planCompGroups } from '../../../../src/testbed/supervisor/testbed-layout.js';
import {
  AGENT_DAEMONSET,
  APISERVER_ENDPOINTS,
  KOS_NAMESPACE,
  NAPI_DEPLOYMENT,
  agentDaemonSet,
  apiserverEndpoints,
  daemonSetStatus,
  deploymentStatus,
  napiDeployment,
  nodeSelectorOf,
  selectedComps,
} from '../../../../src/testbed/supervisor/workload-objects.js';

const node = (
  name: string,
  comp?: string,
): { metadata: { name: string; labels: Record<string, string> } } => ({
  metadata: { name, labels: comp === undefined ? {} : { 'kos-role/comp': comp } },
});

describe('the KOS workload objects the testbed keeps', () => {
  it("use the cluster target's default names, so a spec needs only kubeconfig and prometheusUrl", () => {
    const t = clusterTargetSchema.parse({
      kind: 'cluster',
      kubeconfig: 'k',
      prometheusUrl: 'http://127.0.0.1:9090',
    });
    assert.deepEqual(t.kos, {
      namespace: KOS_NAMESPACE,
      networkApiserver: NAPI_DEPLOYMENT,
      connectionAgent: AGENT_DAEMONSET,
    });
    assert.deepEqual(t.kubeApiserver, {
      namespace: APISERVER_ENDPOINTS.namespace,
      endpoints: APISERVER_ENDPOINTS.name,
    });
    assert.equal(napiDeployment(3).spec?.replicas, 3);
    assert.deepEqual(nodeSelectorOf(agentDaemonSet()), { 'kos-role/comp': 'true' });
  });

  it('select agents on exactly the comp Nodes the nodeSelector matches, in numeric order', () => {
    const nodes = [
      node('comp10', 'true'),
      node('comp2', 'true'),
      node('comp3', 'false'),
      node('comp4'),
      node('napi0', 'true'),
      node('comp07', 'true'),
    ];
    assert.deepEqual(selectedComps(nodes, { 'kos-role/comp': 'true' }), [2, 10]);
    assert.deepEqual(selectedComps(nodes, {}), [2, 3, 4, 10]);
  });

  it('count DaemonSet pods as its controller does: desired by labels, ready where wanted, the rest misscheduled', () => {
    assert.deepEqual(daemonSetStatus(4, [0, 2], { napiReady: 1, agentNodes: [0, 1] }), {
      observedGeneration: 4,
      desiredNumberScheduled: 2,
      currentNumberScheduled: 1,
      numberReady: 1,
      updatedNumberScheduled: 1,
      numberAvailable: 1,
      numberUnavailable: 1,
      numberMisscheduled: 1,
    });
    // Zero counts are left out, as Kubernetes' omitempty does.
    assert.deepEqual(daemonSetStatus(1, [], { napiReady: 1, agentNodes: [] }), { observedGeneration: 1 });
    assert.deepEqual(deploymentStatus(2, { napiReady: 2, agentNodes: [] }), {
      observedGeneration: 2,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
  });

  it('list one Endpoints subset per kube front', () => {
    const ep = apiserverEndpoints(['http://127.5.0.1:41000', 'http://127.5.0.2:42000']) as unknown as {
      subsets: { addresses: { ip: string }[]; ports: { port: number }[] }[];
    };
    assert.deepEqual(
      ep.subsets.map((s) => `${s.addresses[0]?.ip}:${s.ports[0]?.port}`),
      ['127.5.0.1:41000', '127.5.0.2:42000'],
    );
  });
});

describe('agent groups over chosen comp nodes', () => {
  const config = { nca: 5, agentsPerGroup: 2, fabricDelay: '3ms' };
  const napis = ['http://127.6.0.1:1', 'http://127.6.0.2:1'];
  const layout = (agents?: number[]) =>
    planCompGroups(config, napis, agents).map((g) => `${g.name}:${g.agents.map((a) => a.node).join('+')}`);

  it('default to comp0..NCA-1 in groups of agentsPerGroup', () => {
    assert.deepEqual(layout(), ['comp-group0:comp0+comp1', 'comp-group1:comp2+comp3', 'comp-group2:comp4']);
  });

  it('keep each node in the group of its index range, so moving one agent restarts one group', () => {
    assert.deepEqual(layout([0, 1, 5, 4]), ['comp-group0:comp0+comp1', 'comp-group2:comp4+comp5']);
    const g = planCompGroups(config, napis, [5])[0];
    assert.deepEqual(g?.agents[0], { node: 'comp5', hostIP: '127.10.0.6', apiServer: napis[1] });
  });

  it("pack the seed's 600, 1,200 and 1,800 agents into 1, 2 and 2 processes by default (ADR 0044)", () => {
    const groups = (nca: number) =>
      planCompGroups(testbedConfigSchema.parse({ nca }), napis).map((g) => g.agents.length);
    assert.deepEqual(groups(600), [600]);
    assert.deepEqual(groups(1200), [1000, 200]);
    assert.deepEqual(groups(1800), [1000, 800]);
  });

  it("give group k the k-th of groupFabricDelays, the others the testbed's fabricDelay", () => {
    const delays = planCompGroups({ ...config, groupFabricDelays: ['26ms'] }, napis).map(
      (g) => g.fabricDelay,
    );
    assert.deepEqual(delays, ['26ms', '3ms', '3ms']);
  });
});

describe('kube front routes of apps/v1', () => {
  it('route deployments, daemonsets and the scale subresource; nothing else under apps', () => {
    const r = (p: string) => {
      const route = frontRouteOf(p, CORE_RESOURCES, APPS_RESOURCES);
      if (route.kind === 'apps')
        return `apps ${route.route.type.resource} ${route.route.namespace ?? '-'}/${route.route.name ?? '-'}/${route.route.subresource ?? '-'}`;
      if (route.kind === 'scale') return `scale ${route.namespace}/${route.name}`;
      if (route.kind === 'document') return `document ${route.which}`;
      if (route.kind === 'core') return `core ${route.route.type.resource}`;
      return route.kind;
    };
    assert.equal(r('/apis/apps'), 'document appsGroup');
    assert.equal(r('/apis/apps/v1'), 'document appsVersion');
    assert.equal(r('/apis/apps/v1/deployments'), 'apps deployments -/-/-');
    assert.equal(
      r('/apis/apps/v1/namespaces/example-com/daemonsets/connection-agent/status'),
      'apps daemonsets example-com/connection-agent/status',
    );
    assert.equal(
      r('/apis/apps/v1/namespaces/example-com/deployments/network-apiserver/scale'),
      'scale example-com/network-apiserver',
    );
    assert.equal(r('/apis/apps/v1/namespaces/example-com/daemonsets/connection-agent/scale'), 'unknown');
    assert.equal(r('/apis/apps/v1/replicasets'), 'unknown');
    assert.equal(r('/api/v1/namespaces/default/endpoints/kubernetes'), 'core endpoints');
    assert.equal(frontRouteOf('/apis/apps/v1', CORE_RESOURCES).kind, 'unknown', 'only when apps is served');
  });

  it("show a Deployment as autoscaling/v1 Scale with the Deployment's version", () => {
    const d = napiDeployment(2);
    d.metadata = { ...d.metadata, uid: 'u1', creationTimestamp: '2026-12-01T00:00:00Z' };
    d.status = { replicas: 1 };
    assert.deepEqual(scaleOf({ obj: d, rev: 42 }), {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: NAPI_DEPLOYMENT,
        namespace: KOS_NAMESPACE,
        uid: 'u1',
        resourceVersion: '42',
        creationTimestamp: '2026-12-01T00:00:00Z',
      },
      spec: { replicas: 2 },
      status: { replicas: 1, selector: `app=${NAPI_DEPLOYMENT}` },
    });
  });
});

describe('the comp Nodes when the testbed places agents itself (scale())', () => {
  const t = 'true';
  const f = 'false';
  const cases: [string, [number, string][], number[], number, string][] = [
    ['a fresh testbed without candidates', [], [0, 1, 2], 0, 'create comp0=true comp1=true comp2=true'],
    [
      'NCA 3 -> 1 without candidates',
      [
        [0, t],
        [1, t],
        [2, t],
      ],
      [0],
      0,
      'remove comp1 comp2',
    ],
    [
      'NCA 1 -> 3 over 4 candidates',
      [
        [0, t],
        [1, f],
        [2, f],
        [3, f],
      ],
      [0, 1, 2],
      4,
      'true 1 2',
    ],
    [
      'NCA 3 -> 1 over 4 candidates',
      [
        [0, t],
        [1, t],
        [2, t],
        [3, f],
      ],
      [0],
      4,
      'false 1 2',
    ],
    [
      'NCA 6 over 4 candidates',
      [
        [0, t],
        [1, f],
        [2, f],
        [3, f],
      ],
      [0, 1, 2, 3, 4, 5],
      4,
      'create comp4=true comp5=true; true 1 2 3',
    ],
    [
      'labels chosen elsewhere, put back to comp0..',
      [
        [0, f],
        [1, t],
        [2, f],
        [3, t],
      ],
      [0, 1],
      4,
      'true 0; false 3',
    ],
    [
      'nothing to change',
      [
        [0, t],
        [1, f],
      ],
      [0],
      2,
      '',
    ],
  ];
  for (const [name, existing, agents, compNodes, expected] of cases) {
    it(name, () => {
      const p = planCompNodes(new Map(existing), agents, compNodes);
      const parts = [
        p.create.length > 0 ? `create ${p.create.map((n) => `${n.name}=${n.role ?? ''}`).join(' ')}` : '',
        p.labelTrue.length > 0 ? `true ${p.labelTrue.join(' ')}` : '',
        p.labelFalse.length > 0 ? `false ${p.labelFalse.join(' ')}` : '',
        p.remove.length > 0 ? `remove ${p.remove.join(' ')}` : '',
      ];
      assert.equal(parts.filter((x) => x !== '').join('; '), expected);
    });
  }
});
