import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeKubeProtobuf,
  encodeKubeProtobuf,
  readEnvelope,
} from '../../../../src/api/protobuf/kube-envelope.js';
import {
  createDeployment,
  createNamespace,
  selfSubjectAccessReview,
} from '../../../fixtures/kubectl-protobuf-bodies.js';

const bytes = (hex: string): Uint8Array => Buffer.from(hex, 'hex');

describe('the k8s protobuf envelope, against bodies kubectl 1.32 sent', () => {
  it('reads the envelope of `kubectl create namespace`', () => {
    const env = readEnvelope(bytes(createNamespace));
    assert.deepEqual([env.apiVersion, env.kind], ['v1', 'Namespace']);
  });

  it('decodes a namespace: name kept, empty strings and the zero time left out', () => {
    assert.deepEqual(decodeKubeProtobuf(bytes(createNamespace)), {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'kubectl-fixture' },
      spec: {},
      status: {},
    });
  });

  it('decodes a deployment with replicas, selector, template and container', () => {
    const d = decodeKubeProtobuf(bytes(createDeployment)) as {
      metadata: unknown;
      spec: {
        replicas: number;
        selector: unknown;
        template: { metadata: unknown; spec: { containers: unknown } };
      };
    };
    assert.deepEqual(d.metadata, { name: 'dfix', namespace: 'x', labels: { app: 'dfix' } });
    assert.equal(d.spec.replicas, 2);
    assert.deepEqual(d.spec.selector, { matchLabels: { app: 'dfix' } });
    assert.deepEqual(d.spec.template.metadata, { labels: { app: 'dfix' } });
    assert.deepEqual(d.spec.template.spec.containers, [{ name: 'nginx', image: 'nginx:1', resources: {} }]);
  });

  it('decodes the access review `kubectl auth can-i` sends', () => {
    const r = decodeKubeProtobuf(bytes(selfSubjectAccessReview)) as { apiVersion: string; spec: unknown };
    assert.equal(r.apiVersion, 'authorization.k8s.io/v1');
    assert.deepEqual(r.spec, {
      resourceAttributes: { namespace: 'x', verb: 'create', resource: 'networkattachments' },
    });
  });

  it('re-encodes what it decoded to the same object (round trip of every fixture)', () => {
    for (const hex of [createNamespace, createDeployment, selfSubjectAccessReview]) {
      const obj = decodeKubeProtobuf(bytes(hex));
      const again = encodeKubeProtobuf(obj);
      assert.ok(again !== undefined);
      assert.deepEqual(decodeKubeProtobuf(again), obj);
    }
  });

  it('encodes times, quantities, int-or-strings and lists', () => {
    const node = {
      apiVersion: 'v1',
      kind: 'NodeList',
      metadata: { resourceVersion: '42' },
      items: [
        {
          metadata: { name: 'comp0', creationTimestamp: '2026-12-06T20:00:01Z', labels: { a: 'b' } },
          status: {
            capacity: { cpu: '4', memory: '16Gi' },
            conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-12-06T20:00:02Z' }],
          },
        },
      ],
    };
    const env = readEnvelope(encodeKubeProtobuf(node) ?? new Uint8Array());
    assert.deepEqual([env.apiVersion, env.kind], ['v1', 'NodeList']);
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e1', namespace: 'n' },
      eventTime: '2026-12-06T20:00:01.123456Z',
      count: 3,
    };
    assert.deepEqual(decodeKubeProtobuf(encodeKubeProtobuf(event) ?? new Uint8Array()), event);
    const deploy = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 1 } } },
    };
    assert.deepEqual(decodeKubeProtobuf(encodeKubeProtobuf(deploy) ?? new Uint8Array()), deploy);
  });

  it('refuses a body without the magic, and a kind it has no message for', () => {
    assert.throws(() => readEnvelope(bytes('7b7d')), /magic/);
    assert.equal(encodeKubeProtobuf({ apiVersion: 'v1', kind: 'Secret' }), undefined);
  });
});
