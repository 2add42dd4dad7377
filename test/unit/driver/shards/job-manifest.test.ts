import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import {
  jobManifest,
  manifestYaml,
  type JobManifestInput,
  type ManifestObject,
} from '../../../../src/driver/shards/job-manifest.js';
import { KosTestError } from '../../../../src/util/errors.js';
import { validateKubeObject } from '../../../support/kube-schema.js';

const BASE: JobManifestInput = {
  shards: 4,
  image: 'registry.example/kos-test:0.1.0',
  runId: '1201-1930-abcd',
  seed: 12345,
  startAtMs: 1_795_000_000_000,
  driveArgs: ['--rate', '2000', '--num-attachments', '100000', '--ops-distribution', 'poisson'],
  namespace: 'kos-test',
  cpu: '1',
  memory: '1Gi',
  metricsPort: 9376,
};

function jobOf(objects: readonly ManifestObject[]): IJob {
  const job = objects.find((o): o is IJob => o.kind === 'Job');
  assert.ok(job !== undefined, 'a Job');
  return job;
}

function containerOf(job: IJob) {
  const c = job.spec?.template.spec?.containers[0];
  assert.ok(c !== undefined, 'a container');
  return c;
}

/** What the kubelet does with $(VAR) in args: the pod of completion index k sees these. */
function expandedArgs(job: IJob, k: number): string[] {
  return (containerOf(job).args ?? []).map((a) => a.replaceAll('$(JOB_COMPLETION_INDEX)', String(k)));
}

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
}

describe('the sharded-driver manifest passes the official Kubernetes schemas', () => {
  const cases: { what: string; input: JobManifestInput; kinds: string[] }[] = [
    {
      what: 'in-cluster service account',
      input: BASE,
      kinds: ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Job'],
    },
    {
      what: 'a mounted kubeconfig secret',
      input: { ...BASE, kubeconfigSecret: 'target-kubeconfig' },
      kinds: ['Namespace', 'ServiceAccount', 'Job'],
    },
    {
      what: 'outputs on a claim, base nodes only',
      input: { ...BASE, outClaim: 'kos-out', nodeSelector: { 'kos-role/base': 'true' } },
      kinds: ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Job'],
    },
    {
      what: 'one shard',
      input: { ...BASE, shards: 1, driveArgs: [] },
      kinds: ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Job'],
    },
    {
      what: 'fifty shards',
      input: { ...BASE, shards: 50, memory: '512Mi', cpu: '500m' },
      kinds: ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Job'],
    },
  ];
  for (const c of cases) {
    it(`with ${c.what}`, () => {
      const objects = jobManifest(c.input);
      assert.deepEqual(
        objects.map((o) => o.kind),
        c.kinds,
      );
      for (const o of objects) validateKubeObject(o);
      const yaml = parseAllDocuments(manifestYaml(objects)).map((d) => d.toJS() as unknown);
      assert.deepEqual(yaml, objects, 'the YAML stream reads back as the objects');
    });
  }

  it('quotes a run id that YAML 1.1 (as kubectl reads it) would take for a boolean or number', () => {
    for (const runId of ['on', 'no', '0x1f', '1_000', '12e3']) {
      const docs = parseAllDocuments(manifestYaml(jobManifest({ ...BASE, runId })), { version: '1.1' });
      const job = docs.at(-1)?.toJS() as IJob;
      assert.equal(job.metadata?.labels?.runid, runId);
    }
  });

  it('the validator rejects what an apiserver would (so the checks above can fail)', () => {
    const job = jobOf(jobManifest(BASE));
    const broken = {
      ...job,
      spec: { ...job.spec, completionMode: 'Indexd', completions: '4' },
    } as unknown as IJob;
    assert.throws(() => {
      validateKubeObject(broken);
    }, /completionMode|completions/);
  });
});

describe('every pod of the Job is one shard of the same run', () => {
  const job = jobOf(jobManifest(BASE));
  it('is an Indexed Job with completions = parallelism = N and no retries', () => {
    const spec = job.spec;
    assert.ok(spec !== undefined);
    assert.deepEqual(
      [
        spec.completionMode,
        spec.completions,
        spec.parallelism,
        spec.backoffLimit,
        spec.template.spec?.restartPolicy,
      ],
      ['Indexed', 4, 4, 0, 'Never'],
    );
  });

  it('defines JOB_COMPLETION_INDEX in the env, so $(JOB_COMPLETION_INDEX) in args expands', () => {
    const env = containerOf(job).env?.find((e) => e.name === 'JOB_COMPLETION_INDEX');
    assert.equal(
      env?.valueFrom?.fieldRef?.fieldPath,
      "metadata.annotations['batch.kubernetes.io/job-completion-index']",
    );
  });

  it("is scraped by the cluster Prometheus's pod job: annotations, the metrics port, the pod's address", () => {
    const template = job.spec?.template;
    assert.deepEqual(template?.metadata?.annotations, {
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9376',
      'prometheus.io/path': '/metrics',
    });
    const c = containerOf(job);
    assert.deepEqual(c.ports, [{ name: 'metrics', containerPort: 9376, protocol: 'TCP' }]);
    const args = c.args ?? [];
    assert.equal(flag(args, '--metrics-port'), '9376');
    assert.equal(flag(args, '--metrics-host'), '$(POD_IP)');
    const env = c.env?.find((e) => e.name === 'POD_IP');
    assert.equal(env?.valueFrom?.fieldRef?.fieldPath, 'status.podIP');
  });

  it('gives pod k `--shard k/N`, and all the same run id, seed, start and output volume', () => {
    const pods = [0, 1, 2, 3].map((k) => expandedArgs(job, k));
    assert.deepEqual(
      pods.map((a) => flag(a, '--shard')),
      ['0/4', '1/4', '2/4', '3/4'],
    );
    // One volume: the driver itself writes shard k to <out>/<runid>/shard-k/.
    assert.deepEqual([...new Set(pods.map((a) => flag(a, '--out')))], ['/out']);
    for (const a of pods) {
      assert.equal(a[0], 'drive');
      assert.equal(flag(a, '--runid'), '1201-1930-abcd');
      assert.equal(flag(a, '--seed'), '12345');
      assert.equal(flag(a, '--start-at'), '1795000000000');
      assert.deepEqual(a.slice(-BASE.driveArgs.length), BASE.driveArgs, "the user's options, verbatim");
    }
  });

  it('runs in-cluster with the rights the driver uses, bound to its service account', () => {
    const objects = jobManifest(BASE);
    const role = objects.find((o) => o.kind === 'ClusterRole');
    const binding = objects.find((o) => o.kind === 'ClusterRoleBinding');
    assert.ok(role?.kind === 'ClusterRole' && binding?.kind === 'ClusterRoleBinding');
    const can = (group: string, resource: string, verb: string): boolean =>
      (role.rules ?? []).some(
        (r) => r.apiGroups?.includes(group) && r.resources?.includes(resource) && r.verbs.includes(verb),
      );
    assert.ok(can('', 'namespaces', 'create') && can('', 'nodes', 'list'));
    assert.ok(
      can('network.example.com', 'networkattachments', 'watch') &&
        can('network.example.com', 'subnets', 'create'),
    );
    assert.ok(!can('', 'secrets', 'get'), 'no more than it needs');
    assert.deepEqual(binding.subjects, [
      { kind: 'ServiceAccount', name: job.spec?.template.spec?.serviceAccountName, namespace: 'kos-test' },
    ]);
    assert.equal(binding.roleRef.name, role.metadata?.name);
    assert.equal(job.spec?.template.spec?.automountServiceAccountToken, true);
    assert.equal(
      containerOf(job).env?.some((e) => e.name === 'KUBECONFIG'),
      false,
    );
  });

  it('with a kubeconfig secret, points KUBECONFIG at the mounted file and mounts no token', () => {
    const withSecret = jobOf(jobManifest({ ...BASE, kubeconfigSecret: 'target' }));
    const c = containerOf(withSecret);
    const mount = c.volumeMounts?.find((m) => m.name === 'kubeconfig');
    assert.equal(c.env?.find((e) => e.name === 'KUBECONFIG')?.value, `${mount?.mountPath ?? ''}/config`);
    assert.equal(
      withSecret.spec?.template.spec?.volumes?.find((v) => v.name === 'kubeconfig')?.secret?.secretName,
      'target',
    );
    assert.equal(withSecret.spec.template.spec.automountServiceAccountToken, false);
  });

  it('refuses a run id too long for the Job name with one line', () => {
    assert.throws(
      () => jobManifest({ ...BASE, runId: 'r'.repeat(54) }),
      (e: unknown) => e instanceof KosTestError && /run id too long for a Job name/.test(e.message),
    );
  });
});
