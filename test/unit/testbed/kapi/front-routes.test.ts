import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CORE_RESOURCES } from '../../../../src/api/core/core-resources.js';
import { KOS_RESOURCES } from '../../../../src/api/resource-types.js';
import { frontRouteOf } from '../../../../src/testbed/kapi/front-routes.js';
import { aggregatedLabels } from '../../../../src/testbed/kapi/napi-proxy.js';
import { resourceRouteOf, routeOf } from '../../../../src/testbed/napi/routes.js';

/** A route as a short text: `resource ns/name/sub`, or the route kind. */
function describeRoute(path: string): string {
  const route = frontRouteOf(path, CORE_RESOURCES);
  switch (route.kind) {
    case 'core': {
      const r = route.route;
      return `${r.type.resource} ${r.namespace ?? '-'}/${r.name ?? '-'}/${r.subresource ?? '-'}`;
    }
    case 'document':
      return `document ${route.which}`;
    case 'plain':
      return `plain ${route.what}`;
    case 'openapi':
      return route.document === undefined ? 'openapi' : `openapi ${route.document}`;
    case 'resourceMetrics':
      return `resourceMetrics ${route.resource} ${route.namespace ?? '-'}/${route.name ?? '-'}`;
    default:
      return route.kind;
  }
}

describe('kube front routes', () => {
  const cases: [string, string][] = [
    ['/api', 'document api'],
    ['/api/', 'document api'],
    ['/api/v1', 'document core'],
    ['/apis', 'document apis'],
    ['/apis/network.example.com', 'document group'],
    ['/apis/network.example.com/', 'document group'],
    ['/apis/network.example.com/v1alpha1', 'aggregated'],
    ['/apis/network.example.com/v1alpha1/namespaces/x/subnets', 'aggregated'],
    ['/apis/network.example.com/v1alpha1/anything/at/all', 'aggregated'],
    ['/apis/apps/v1', 'unknown'],
    ['/version', 'plain version'],
    ['/healthz/etcd', 'plain healthz'],
    ['/readyz', 'plain readyz'],
    ['/livez', 'plain livez'],
    ['/metrics', 'plain metrics'],
    ['/api/v1/nodes', 'nodes -/-/-'],
    ['/api/v1/nodes/comp0', 'nodes -/comp0/-'],
    ['/api/v1/nodes/comp0/status', 'nodes -/comp0/status'],
    ['/api/v1/nodes/comp0/finalize', 'unknown'],
    ['/api/v1/nodes/comp0/status/x', 'unknown'],
    ['/api/v1/namespaces', 'namespaces -/-/-'],
    ['/api/v1/namespaces/ns1', 'namespaces -/ns1/-'],
    ['/api/v1/namespaces/ns1/status', 'namespaces -/ns1/status'],
    ['/api/v1/namespaces/ns1/finalize', 'namespaces -/ns1/finalize'],
    ['/api/v1/namespaces/ns1/nodes', 'unknown'],
    ['/api/v1/namespaces/ns1/pods', 'pods ns1/-/-'],
    ['/api/v1/namespaces/ns1/pods/p/status', 'pods ns1/p/status'],
    ['/api/v1/pods', 'pods -/-/-'],
    ['/api/v1/namespaces/ns1/events', 'events ns1/-/-'],
    ['/api/v1/namespaces/ns1/secrets', 'unknown'],
    ['/openapi/v3', 'openapi'],
    ['/openapi/v3/apis/apps/v1', 'openapi apis/apps/v1'],
    ['/apis/authorization.k8s.io/v1', 'extraVersion'],
    ['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', 'accessReview'],
    ['/apis/authorization.k8s.io/v1/subjectaccessreviews', 'unknown'],
    ['/apis/metrics.k8s.io', 'extraGroup'],
    ['/apis/metrics.k8s.io/v1beta1/nodes', 'resourceMetrics nodes -/-'],
    ['/apis/metrics.k8s.io/v1beta1/nodes/comp0', 'resourceMetrics nodes -/comp0'],
    ['/apis/metrics.k8s.io/v1beta1/pods', 'resourceMetrics pods -/-'],
    ['/apis/metrics.k8s.io/v1beta1/namespaces/example-com/pods/p1', 'resourceMetrics pods example-com/p1'],
    ['/api/v1/nodes/%E0%A4%A', 'unknown'],
    ['/api/v1/nodes//status', 'unknown'],
  ];
  for (const [path, expected] of cases) {
    it(`${path} -> ${expected}`, () => {
      assert.equal(describeRoute(path), expected);
    });
  }
});

describe('resourceRouteOf keeps the network-apiserver routes as they were', () => {
  it('addresses namespaced KOS objects only inside a namespace', () => {
    assert.equal(resourceRouteOf('networkattachments/a1', KOS_RESOURCES), undefined);
    assert.equal(resourceRouteOf('iplocks/x/status', KOS_RESOURCES), undefined, 'iplocks have no status');
    assert.equal(resourceRouteOf('namespaces/n/finalize', KOS_RESOURCES), undefined);
    const r = resourceRouteOf('namespaces/n/subnets/s/status', KOS_RESOURCES);
    assert.deepEqual(r && [r.type.resource, r.namespace, r.name, r.subresource], [
      'subnets',
      'n',
      's',
      'status',
    ]);
    const all = routeOf('/apis/network.example.com/v1alpha1/subnets');
    assert.equal(all.kind === 'resource' && all.namespace === undefined && all.name === undefined, true);
  });
});

describe('aggregatedLabels', () => {
  const cases: [string, string, Record<string, string>][] = [
    [
      'GET',
      '/apis/network.example.com/v1alpha1/namespaces/n/networkattachments/a?x=1',
      { verb: 'GET', resource: 'networkattachments', scope: 'resource', subresource: '' },
    ],
    [
      'GET',
      '/apis/network.example.com/v1alpha1/networkattachments?watch=true',
      { verb: 'WATCH', resource: 'networkattachments', scope: 'cluster', subresource: '' },
    ],
    [
      'GET',
      '/apis/network.example.com/v1alpha1/namespaces/n/subnets',
      { verb: 'LIST', resource: 'subnets', scope: 'namespace', subresource: '' },
    ],
    [
      'PATCH',
      '/apis/network.example.com/v1alpha1/namespaces/n/subnets/s/status',
      { verb: 'PATCH', resource: 'subnets', scope: 'resource', subresource: 'status' },
    ],
    [
      'DELETE',
      '/apis/network.example.com/v1alpha1/namespaces/n/iplocks',
      { verb: 'DELETECOLLECTION', resource: 'iplocks', scope: 'namespace', subresource: '' },
    ],
    ['GET', '/apis/network.example.com/v1alpha1', { verb: 'GET', resource: '', scope: '', subresource: '' }],
  ];
  for (const [method, path, expected] of cases) {
    it(`${method} ${path}`, () => {
      const labels = aggregatedLabels(method, new URL(path, 'http://x'));
      assert.deepEqual(
        {
          verb: labels.verb,
          resource: labels.resource,
          scope: labels.scope,
          subresource: labels.subresource,
        },
        expected,
      );
    });
  }
});
