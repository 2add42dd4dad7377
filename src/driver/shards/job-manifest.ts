/**
 * The Kubernetes objects that run one driver run as N shards in a cluster (pure): an Indexed Job
 * whose pod k runs `kos-test drive --shard k/N` with the same options, run id, seed and shared
 * start time, plus the namespace, service account and RBAC the driver needs in-cluster.
 * Validated against the official schemas in test/unit/driver/shards/job-manifest.test.ts.
 */
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IIoK8sApiCoreV1Volume, IIoK8sApiCoreV1VolumeMount } from 'kubernetes-models/v1';
import { stringify } from 'yaml';
import { KosTestError } from '../../util/errors.js';
import { runLabels } from '../driver-labels.js';

export interface JobManifestInput {
  /** N: pods, each one shard. */
  shards: number;
  image: string;
  runId: string;
  /** Every shard must plan from the same seed. */
  seed: number;
  /** The shared start, Date.now() ms: every pod must be running before it. */
  startAtMs: number;
  /** The user's other drive options, repeated verbatim in every shard. */
  driveArgs: readonly string[];
  /** Namespace the Job and its service account live in. @default kos-test */
  namespace: string;
  /** Secret holding a kubeconfig under key `config`; absent: the pod's in-cluster service account. */
  kubeconfigSecret?: string;
  /** PersistentVolumeClaim (ReadWriteMany) for the outputs; absent: an emptyDir, gone with the pod. */
  outClaim?: string;
  /** Container requests (and memory limit). @default cpu 1, memory 1Gi */
  cpu: string;
  memory: string;
  /** Only nodes with these labels (e.g. the seed's base nodes). */
  nodeSelector?: Record<string, string>;
  /** The driver's /metrics port in the pod. @default 9376 */
  metricsPort: number;
}

export type ManifestObject = INamespace | IServiceAccount | IClusterRole | IClusterRoleBinding | IJob;

const SERVICE_ACCOUNT = 'kos-test-driver';
const OUT_DIR = '/out';
const KUBECONFIG_DIR = '/etc/kos-test/kubeconfig';
/** Kubernetes expands $(VAR) in args from the container's env. */
const INDEX = '$(JOB_COMPLETION_INDEX)';
const POD_IP = '$(POD_IP)';

/** What the cluster Prometheus's `kubernetes-pods` job keeps and where it scrapes (relabel-rules.ts). */
export function scrapeAnnotations(port: number): Record<string, string> {
  return {
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': String(port),
    'prometheus.io/path': '/metrics',
  };
}

/** What the driver does through the API: a namespace per run, subnets, attachments, node lookup. */
const DRIVER_RULES: NonNullable<IClusterRole['rules']> = [
  { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
  { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
  {
    apiGroups: ['network.example.com'],
    resources: ['subnets', 'networkattachments'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'],
  },
];

export function jobName(runId: string): string {
  const name = `kos-drive-${runId}`;
  // The job-name label on every pod must be a valid label value (at most 63 characters).
  if (name.length > 63) {
    throw new KosTestError({
      what: 'run id too long for a Job name',
      value: runId,
      fix: 'give a --runid of at most 53 characters',
    });
  }
  return name;
}

/** The args of shard $(JOB_COMPLETION_INDEX): the shared identity first, then the user's options. */
export function shardArgs(input: JobManifestInput): string[] {
  return [
    'drive',
    '--shard',
    `${INDEX}/${input.shards}`,
    '--start-at',
    String(Math.round(input.startAtMs)),
    '--runid',
    input.runId,
    '--seed',
    String(input.seed),
    // The driver writes shard k to <out>/<runid>/shard-k/, so all share one volume.
    '--out',
    OUT_DIR,
    // The pod's own address: what Prometheus's pod discovery scrapes (kube's $(VAR) expansion).
    '--metrics-host',
    POD_IP,
    '--metrics-port',
    String(input.metricsPort),
    ...input.driveArgs,
  ];
}

function volumes(input: JobManifestInput): {
  volumes: IIoK8sApiCoreV1Volume[];
  mounts: IIoK8sApiCoreV1VolumeMount[];
} {
  const out: IIoK8sApiCoreV1Volume =
    input.outClaim === undefined
      ? { name: 'out', emptyDir: {} }
      : { name: 'out', persistentVolumeClaim: { claimName: input.outClaim } };
  const vols: IIoK8sApiCoreV1Volume[] = [out];
  const mounts: IIoK8sApiCoreV1VolumeMount[] = [{ name: 'out', mountPath: OUT_DIR }];
  if (input.kubeconfigSecret !== undefined) {
    vols.push({ name: 'kubeconfig', secret: { secretName: input.kubeconfigSecret } });
    mounts.push({ name: 'kubeconfig', mountPath: KUBECONFIG_DIR, readOnly: true });
  }
  return { volumes: vols, mounts };
}

function driverJob(input: JobManifestInput): IJob {
  const labels = { ...runLabels(input.runId), 'app.kubernetes.io/name': 'kos-test' };
  const { volumes: vols, mounts } = volumes(input);
  const inCluster = input.kubeconfigSecret === undefined;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: jobName(input.runId), namespace: input.namespace, labels },
    spec: {
      completionMode: 'Indexed',
      completions: input.shards,
      parallelism: input.shards,
      // A retried shard would repeat its attachments' names and miss the shared start.
      backoffLimit: 0,
      template: {
        metadata: { labels, annotations: scrapeAnnotations(input.metricsPort) },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: SERVICE_ACCOUNT,
          automountServiceAccountToken: inCluster,
          terminationGracePeriodSeconds: 60,
          ...(input.nodeSelector === undefined ? {} : { nodeSelector: input.nodeSelector }),
          affinity: {
            // Shards on different nodes, so one node's CPU does not pace them all.
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    topologyKey: 'kubernetes.io/hostname',
                    labelSelector: { matchLabels: runLabels(input.runId) },
                  },
                },
              ],
            },
          },
          containers: [
            {
              name: 'driver',
              image: input.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['kos-test'],
              args: shardArgs(input),
              env: [
                {
                  name: 'JOB_COMPLETION_INDEX',
                  valueFrom: {
                    fieldRef: {
                      fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']",
                    },
                  },
                },
                { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                ...(inCluster ? [] : [{ name: 'KUBECONFIG', value: `${KUBECONFIG_DIR}/config` }]),
              ],
              ports: [{ name: 'metrics', containerPort: input.metricsPort, protocol: 'TCP' }],
              resources: {
                requests: { cpu: input.cpu, memory: input.memory },
                limits: { memory: input.memory },
              },
              securityContext: { allowPrivilegeEscalation: false },
              volumeMounts: mounts,
            },
          ],
          volumes: vols,
        },
      },
    },
  };
}

/** Every object to apply, in order (namespace and RBAC before the Job that uses them). */
export function jobManifest(input: JobManifestInput): ManifestObject[] {
  const labels = { 'app.kubernetes.io/name': 'kos-test' };
  const objects: ManifestObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: input.namespace, labels } },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: SERVICE_ACCOUNT, namespace: input.namespace, labels },
    },
  ];
  // With a mounted kubeconfig the target may be another cluster: no rights are needed here.
  if (input.kubeconfigSecret === undefined) {
    objects.push(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: SERVICE_ACCOUNT, labels },
        rules: DRIVER_RULES,
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: `${SERVICE_ACCOUNT}-${input.namespace}`, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: SERVICE_ACCOUNT },
        subjects: [{ kind: 'ServiceAccount', name: SERVICE_ACCOUNT, namespace: input.namespace }],
      },
    );
  }
  objects.push(driverJob(input));
  return objects;
}

/**
 * The objects as one multi-document YAML stream, for `kubectl apply -f -`. YAML 1.1 quoting, as
 * kubectl reads 1.1: a run id like `on` or `0x1f` must stay a string.
 */
export function manifestYaml(objects: readonly ManifestObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, version: '1.1' })).join('---\n');
}
