import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  namespaces,
  namespaceStrategy,
  NAMESPACE_TERMINATING_MESSAGE,
} from '../../../../src/api/core/namespace-type.js';
import { nodes, nodeStatusText, nodeStrategy } from '../../../../src/api/core/node-type.js';
import type { KosObject } from '../../../../src/api/meta.js';
import {
  apiVersionOf,
  isNamespaced,
  subresourcesOf,
  type DeleteDecision,
} from '../../../../src/api/resource-type.js';
import { subnets } from '../../../../src/api/resource-types.js';
import { kosStrategy } from '../../../../src/api/strategy.js';

const NOW = '2026-11-23T21:40:00.123456Z';
const TIME = '2026-11-23T21:40:00Z';

function ns(name: string, extra: Partial<KosObject> = {}): KosObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, ...extra };
}

function node(extra: Partial<KosObject> = {}): KosObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: 'comp0' }, ...extra };
}

describe('resource type helpers', () => {
  it('tell core from KOS kinds', () => {
    assert.equal(apiVersionOf(nodes), 'v1');
    assert.equal(apiVersionOf(subnets), 'network.example.com/v1alpha1');
    assert.equal(isNamespaced(nodes), false);
    assert.equal(isNamespaced(subnets), true);
    assert.deepEqual(subresourcesOf(namespaces), ['status', 'finalize']);
    assert.deepEqual(subresourcesOf(nodes), ['status']);
    assert.equal(subnets.strategy ?? kosStrategy, kosStrategy);
  });
});

describe('namespace strategy', () => {
  it('creates Active, with the kubernetes finalizer once, and the name label', () => {
    const a = ns('a', { spec: { finalizers: ['example.com/x'] }, status: { phase: 'Terminating' } });
    namespaceStrategy.prepareForCreate(namespaces, a, NOW);
    assert.deepEqual(a.spec, { finalizers: ['example.com/x', 'kubernetes'] });
    assert.deepEqual(a.status, { phase: 'Active' });
    assert.deepEqual(a.metadata.labels, { 'kubernetes.io/metadata.name': 'a' });
    const b = ns('b', { spec: { finalizers: ['kubernetes'] } });
    namespaceStrategy.prepareForCreate(namespaces, b, NOW);
    assert.deepEqual(b.spec, { finalizers: ['kubernetes'] });
  });

  it('changes spec.finalizers only through finalize, status only through status, never deletionTimestamp', () => {
    const prev = ns('a', {
      metadata: { name: 'a', deletionTimestamp: TIME },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Terminating' },
    });
    const attempt = (): KosObject => ns('a', { spec: { finalizers: [] }, status: { phase: 'Active' } });
    const cases: [string | undefined, unknown, unknown][] = [
      [undefined, ['kubernetes'], 'Terminating'],
      ['status', ['kubernetes'], 'Active'],
      ['finalize', [], 'Terminating'],
    ];
    for (const [sub, finalizers, phase] of cases) {
      const next = attempt();
      namespaceStrategy.prepareForUpdate(
        namespaces,
        next,
        prev,
        NOW,
        sub as 'status' | 'finalize' | undefined,
      );
      assert.deepEqual(next.spec?.finalizers, finalizers, `spec.finalizers via ${sub ?? 'main'}`);
      assert.equal(next.status?.phase, phase, `status via ${sub ?? 'main'}`);
      assert.equal(next.metadata.deletionTimestamp, TIME);
      assert.equal(next.metadata.labels?.['kubernetes.io/metadata.name'], 'a');
    }
  });

  it('decides DELETE like kube-apiserver', () => {
    const live = ns('a', { spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    const decide = (obj: KosObject): DeleteDecision | undefined => namespaceStrategy.onDelete?.(obj, TIME);
    const first = decide(structuredClone(live));
    assert.ok(first?.kind === 'update');
    assert.equal(first.next.metadata.deletionTimestamp, TIME);
    assert.equal(first.next.status?.phase, 'Terminating');
    const terminating = ns('a', {
      metadata: { name: 'a', deletionTimestamp: TIME },
      spec: { finalizers: ['kubernetes'] },
    });
    assert.deepEqual(decide(terminating), {
      kind: 'conflict',
      why: NAMESPACE_TERMINATING_MESSAGE,
    });
    const heldByMeta = ns('a', {
      metadata: { name: 'a', deletionTimestamp: TIME, finalizers: ['x/y'] },
      spec: {},
    });
    assert.deepEqual(decide(heldByMeta), { kind: 'keep' });
    const unheld = ns('a', { spec: { finalizers: [] } });
    assert.deepEqual(decide(unheld), { kind: 'delete' });
  });

  it('is finished once terminating with no finalizer of either kind', () => {
    const cases: [KosObject, boolean][] = [
      [ns('a', { spec: { finalizers: [] } }), false],
      [ns('a', { metadata: { name: 'a', deletionTimestamp: TIME }, spec: { finalizers: [] } }), true],
      [ns('a', { metadata: { name: 'a', deletionTimestamp: TIME } }), true],
      [
        ns('a', { metadata: { name: 'a', deletionTimestamp: TIME }, spec: { finalizers: ['kubernetes'] } }),
        false,
      ],
      [ns('a', { metadata: { name: 'a', deletionTimestamp: TIME, finalizers: ['x/y'] }, spec: {} }), false],
    ];
    for (const [obj, finished] of cases) assert.equal(namespaceStrategy.isFinished?.(obj), finished);
  });

  it('validates names as DNS labels and finalizers as qualified names', () => {
    const fields = (o: KosObject): string[] => namespaces.validate(o).map((e) => e.field);
    assert.deepEqual(fields(ns('ok-1')), []);
    assert.deepEqual(fields(ns('a.b')), ['metadata.name']);
    assert.deepEqual(fields(ns('ok', { spec: { finalizers: ['kubernetes', 'bad finalizer'] } })), [
      'spec.finalizers[1]',
    ]);
  });
});

describe('node strategy and printing', () => {
  it('keeps status on create, status on main writes and spec on status writes', () => {
    const created = node({ status: { capacity: { cpu: '4' } }, extendedMetadata: { writes: [] } });
    nodeStrategy.prepareForCreate(nodes, created, NOW);
    assert.deepEqual(created.status, { capacity: { cpu: '4' } });
    assert.equal(created.extendedMetadata, undefined);
    const prev = node({ spec: { unschedulable: true }, status: { capacity: { cpu: '4' } } });
    const main = node({ spec: {}, status: { capacity: { cpu: '8' } } });
    nodeStrategy.prepareForUpdate(nodes, main, prev, NOW, undefined);
    assert.deepEqual([main.spec, main.status], [{}, { capacity: { cpu: '4' } }]);
    const status = node({ spec: {}, status: { capacity: { cpu: '8' } } });
    nodeStrategy.prepareForUpdate(nodes, status, prev, NOW, 'status');
    assert.deepEqual([status.spec, status.status], [{ unschedulable: true }, { capacity: { cpu: '8' } }]);
  });

  it('prints STATUS the way kubectl does', () => {
    const cases: [KosObject, string][] = [
      [node(), 'Unknown'],
      [node({ status: { conditions: [{ type: 'Ready', status: 'True' }] } }), 'Ready'],
      [node({ status: { conditions: [{ type: 'Ready', status: 'False' }] } }), 'NotReady'],
      [
        node({ spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }),
        'Ready,SchedulingDisabled',
      ],
    ];
    for (const [obj, text] of cases) assert.equal(nodeStatusText(obj), text);
  });

  it('refuses unknown address types', () => {
    const bad = node({
      status: {
        addresses: [
          { type: 'InternalIP', address: '1.2.3.4' },
          { type: 'Nope', address: 'x' },
        ],
      },
    });
    assert.deepEqual(
      nodes.validate(bad).map((e) => [e.type, e.field]),
      [['FieldValueNotSupported', 'status.addresses[1].type']],
    );
  });
});
