import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1DaemonSet,
  type V1Deployment,
  type V1Endpoints,
  type V1Namespace,
  type V1Scale,
} from '@kubernetes/client-node';
import { startKubeFrontStack, type KubeFrontStack } from '../../../../src/testbed/kapi/kube-front-stack.js';

const run = promisify(execFile);
const NS = 'example-com';
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

// client-node types its bodies as classes; plain JSON objects are what it sends anyway.
function asDeployment(obj: object): V1Deployment {
  return obj;
}
function asDaemonSet(obj: object): V1DaemonSet {
  return obj;
}
function asScale(obj: object): V1Scale {
  return obj;
}
function asEndpoints(obj: object): V1Endpoints {
  return obj;
}
function asNamespace(obj: object): V1Namespace {
  return obj;
}

function deployment(name: string, replicas: number): V1Deployment {
  return asDeployment({
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: `kos/${name}` }] },
      },
    },
  });
}

function daemonSet(name: string): V1DaemonSet {
  return asDaemonSet({
    metadata: { name, namespace: NS },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { nodeSelector: { 'kos-role/comp': 'true' }, containers: [{ name, image: `kos/${name}` }] },
      },
    },
  });
}

async function codeOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (e: unknown) {
    if (e instanceof ApiException) return e.code;
    throw e;
  }
}

describe("the kube front's apps/v1 Deployments (with scale) and DaemonSets and core/v1 Endpoints, through @kubernetes/client-node", () => {
  let dir: string;
  let stack: KubeFrontStack;
  let apps: AppsV1Api;
  let core: CoreV1Api;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-kapi-apps-'));
    stack = await startKubeFrontStack({ dir, napiServers: [] });
    const kc = new KubeConfig();
    kc.loadFromFile(stack.kubeconfigPath);
    apps = kc.makeApiClient(AppsV1Api);
    core = kc.makeApiClient(CoreV1Api);
    // As the testbed's supervisor does: objects go only in namespaces that exist (NamespaceLifecycle).
    for (const name of [NS, 'default'])
      await core.createNamespace({ body: asNamespace({ metadata: { name } }) });
    await apps.createNamespacedDeployment({ namespace: NS, body: deployment('network-apiserver', 1) });
    await apps.createNamespacedDaemonSet({ namespace: NS, body: daemonSet('connection-agent') });
  });
  after(async () => {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a Deployment back with generation 1 and an empty status', async () => {
    const d = await apps.readNamespacedDeployment({ name: 'network-apiserver', namespace: NS });
    assert.equal(d.metadata?.generation, 1);
    assert.equal(d.spec?.replicas, 1);
    assert.equal(d.status?.replicas, undefined);
    assert.equal(d.status?.readyReplicas, undefined);
  });

  it('round-trips the scale subresource: read, patch, replace, and the Deployment follows', async () => {
    const s0 = await apps.readNamespacedDeploymentScale({ name: 'network-apiserver', namespace: NS });
    assert.equal(s0.kind, 'Scale');
    assert.equal(s0.apiVersion, 'autoscaling/v1');
    assert.equal(s0.spec?.replicas, 1);
    assert.equal(s0.status?.selector, 'app=network-apiserver');
    const s1 = await apps.patchNamespacedDeploymentScale(
      { name: 'network-apiserver', namespace: NS, body: { spec: { replicas: 3 } } },
      merge,
    );
    assert.equal(s1.spec?.replicas, 3);
    const d1 = await apps.readNamespacedDeployment({ name: 'network-apiserver', namespace: NS });
    assert.equal(d1.spec?.replicas, 3);
    assert.equal(d1.metadata?.generation, 2, 'a spec change bumps the generation');
    assert.equal(s1.metadata?.resourceVersion, d1.metadata.resourceVersion);
    const s2 = await apps.replaceNamespacedDeploymentScale({
      name: 'network-apiserver',
      namespace: NS,
      body: asScale({
        metadata: { name: 'network-apiserver', resourceVersion: s1.metadata?.resourceVersion },
        spec: { replicas: 2 },
      }),
    });
    assert.equal(s2.spec?.replicas, 2);
    assert.equal(
      (await apps.readNamespacedDeployment({ name: 'network-apiserver', namespace: NS })).spec?.replicas,
      2,
    );
  });

  it('answers a missing Deployment 404, a stale Scale 409, a negative count 422, as Kubernetes does', async () => {
    assert.equal(await codeOf(apps.readNamespacedDeploymentScale({ name: 'nope', namespace: NS })), 404);
    assert.equal(
      await codeOf(
        apps.patchNamespacedDeploymentScale(
          { name: 'nope', namespace: NS, body: { spec: { replicas: 1 } } },
          merge,
        ),
      ),
      404,
    );
    const stale = (await apps.readNamespacedDeploymentScale({ name: 'network-apiserver', namespace: NS }))
      .metadata?.resourceVersion;
    await apps.patchNamespacedDeploymentScale(
      { name: 'network-apiserver', namespace: NS, body: { spec: { replicas: 4 } } },
      merge,
    );
    assert.equal(
      await codeOf(
        apps.replaceNamespacedDeploymentScale({
          name: 'network-apiserver',
          namespace: NS,
          body: asScale({
            metadata: { name: 'network-apiserver', resourceVersion: stale },
            spec: { replicas: 1 },
          }),
        }),
      ),
      409,
    );
    try {
      await apps.patchNamespacedDeploymentScale(
        { name: 'network-apiserver', namespace: NS, body: { spec: { replicas: -1 } } },
        merge,
      );
      assert.fail('a negative count was accepted');
    } catch (e: unknown) {
      assert.ok(e instanceof ApiException);
      assert.equal(e.code, 422);
      const status = JSON.parse(String(e.body)) as {
        message: string;
        details: { causes: { field: string }[] };
      };
      assert.match(
        status.message,
        /^Scale\.autoscaling "network-apiserver" is invalid: spec\.replicas: Invalid value/,
      );
      assert.deepEqual(
        status.details.causes.map((c) => c.field),
        ['spec.replicas'],
      );
    }
    assert.equal(
      (await apps.readNamespacedDeployment({ name: 'network-apiserver', namespace: NS })).spec?.replicas,
      4,
    );
    assert.equal(
      await codeOf(
        apps.createNamespacedDeployment({ namespace: NS, body: deployment('network-apiserver', 1) }),
      ),
      409,
    );
  });

  it('keeps status through main-resource writes and spec through status writes', async () => {
    await apps.patchNamespacedDaemonSetStatus(
      {
        name: 'connection-agent',
        namespace: NS,
        body: { status: { desiredNumberScheduled: 2, numberReady: 1 } },
      },
      merge,
    );
    await apps.patchNamespacedDaemonSet(
      {
        name: 'connection-agent',
        namespace: NS,
        body: { metadata: { labels: { tier: 'kos' } }, status: { numberReady: 9 } },
      },
      merge,
    );
    const ds = await apps.readNamespacedDaemonSet({ name: 'connection-agent', namespace: NS });
    assert.equal(ds.status?.numberReady, 1);
    assert.equal(ds.status.desiredNumberScheduled, 2);
    assert.equal(ds.metadata?.labels?.tier, 'kos');
    assert.equal(ds.metadata.generation, 1, 'labels are not spec');
    assert.deepEqual(ds.spec?.template.spec?.nodeSelector, { 'kos-role/comp': 'true' });
  });

  it('stores Endpoints and lists them across namespaces', async () => {
    await core.createNamespacedEndpoints({
      namespace: 'default',
      body: asEndpoints({
        metadata: { name: 'kubernetes' },
        subsets: [
          { addresses: [{ ip: '127.5.0.1' }, { ip: '127.5.0.2' }], ports: [{ name: 'https', port: 6443 }] },
        ],
      }),
    });
    const ep = await core.readNamespacedEndpoints({ name: 'kubernetes', namespace: 'default' });
    assert.deepEqual(
      ep.subsets?.flatMap((s) => s.addresses?.map((a) => a.ip) ?? []),
      ['127.5.0.1', '127.5.0.2'],
    );
    const all = await core.listEndpointsForAllNamespaces();
    assert.deepEqual(
      all.items.map((e) => e.metadata?.name),
      ['kubernetes'],
    );
  });

  it('serves kubectl get deploy,ds and kubectl scale', async () => {
    const env = { ...process.env, KUBECONFIG: stack.kubeconfigPath };
    const { stdout } = await run('kubectl', ['get', 'deploy,ds', '-A'], { env, timeout: 30_000 });
    assert.match(stdout, /deployment\.apps\/network-apiserver\s+0\/4\s+0\s+0/);
    assert.match(stdout, /daemonset\.apps\/connection-agent\s+2\s+0\s+1\s+0\s+0\s+kos-role\/comp=true/);
    const scaled = await run('kubectl', ['-n', NS, 'scale', 'deploy/network-apiserver', '--replicas=5'], {
      env,
      timeout: 30_000,
    });
    assert.match(scaled.stdout, /deployment\.apps\/network-apiserver scaled/);
    assert.equal(
      (await apps.readNamespacedDeployment({ name: 'network-apiserver', namespace: NS })).spec?.replicas,
      5,
    );
  });
});
