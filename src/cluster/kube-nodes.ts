/**
 * The cluster tools' one adapter to a Kubernetes API: lists Nodes and applies JSON merge
 * patches to them, through @kubernetes/client-node with the kubeconfig convention (the
 * --kubeconfig flag, else KUBECONFIG, else ~/.kube/config, else in-cluster or localhost:8080).
 * Failures become one-line KosTestErrors that name the server.
 */
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { withTimeout } from '../kube/timed-api-client.js';
import { KosTestError } from '../util/errors.js';
import { clusterNodeOf, type ClusterNode } from './cluster-node.js';

export interface NodeApi {
  /** The API server's URL, for messages. */
  server: string;
  listNodes(): Promise<ClusterNode[]>;
  mergePatchNode(name: string, patch: object): Promise<void>;
}

const PAGE = 500;

export interface NodeApiOptions {
  /** Nodes per list request (the API's limit). @default 500 */
  pageSize?: number;
  /** Longest wait for one request, like kubectl's --request-timeout; 0 = no limit. @default 30000 */
  requestTimeoutMs?: number;
}

export function loadKubeConfig(kubeconfigPath: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (kubeconfigPath === undefined) kc.loadFromDefault();
    else kc.loadFromFile(kubeconfigPath);
  } catch (e: unknown) {
    throw new KosTestError({
      what: 'cannot load the kubeconfig',
      value: `${kubeconfigPath ?? process.env.KUBECONFIG ?? '~/.kube/config'} (${e instanceof Error ? e.message : String(e)})`,
      fix: 'pass --kubeconfig FILE or set KUBECONFIG (see docs/kubectl-access.md)',
    });
  }
  plainHttpWithoutTls(kc);
  if (kc.getCurrentCluster() === null) {
    throw new KosTestError({
      what: 'the kubeconfig has no current cluster',
      value: kubeconfigPath ?? process.env.KUBECONFIG ?? '~/.kube/config',
      fix: 'set current-context, e.g. kubectl config use-context NAME',
    });
  }
  return kc;
}

/**
 * client-node refuses an http:// server unless TLS verification is off, although there is no
 * TLS to verify. Without this, its no-kubeconfig default (http://localhost:8080, the seed's ssh
 * tunnel to the insecure port) and any plain-http kubeconfig kubectl accepts would fail here.
 */
export function plainHttpWithoutTls(kc: KubeConfig): void {
  if (!kc.clusters.some((c) => c.server.startsWith('http://') && !c.skipTLSVerify)) return;
  kc.loadFromOptions({
    clusters: kc.clusters.map((c) => (c.server.startsWith('http://') ? { ...c, skipTLSVerify: true } : c)),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
}

function apiFailure(server: string, doing: string, e: unknown, timeoutMs: number): KosTestError {
  if ((e as { name?: string }).name === 'AbortError') {
    return new KosTestError({
      what: `the Kubernetes API server did not answer in ${timeoutMs / 1000} s`,
      value: server,
      fix: 'check the server and any ssh tunnel, or give a longer --request-timeout',
      cause: e,
    });
  }
  if (e instanceof ApiException) {
    const body = typeof e.body === 'string' ? e.body : JSON.stringify(e.body);
    let message = body;
    try {
      message = (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      // not a Status object: keep the raw body
    }
    return new KosTestError({
      what: `the Kubernetes API server at ${server} refused to ${doing}`,
      value: `${e.code} ${message}`.slice(0, 300),
      fix:
        e.code === 401 || e.code === 403
          ? 'use a kubeconfig whose user may list and patch nodes'
          : 'see the server message',
      cause: e,
    });
  }
  const code = (e as { code?: string }).code;
  return new KosTestError({
    what: 'cannot reach the Kubernetes API server',
    value: `${server} (${code ?? (e instanceof Error ? e.message : String(e))})`,
    fix: 'check the kubeconfig (--kubeconfig or KUBECONFIG) and any ssh tunnel: see docs/kubectl-access.md',
    cause: e,
  });
}

export function connectNodeApi(kubeconfigPath: string | undefined, opts: NodeApiOptions = {}): NodeApi {
  const pageSize = opts.pageSize ?? PAGE;
  const timeoutMs = opts.requestTimeoutMs ?? 30_000;
  const kc = loadKubeConfig(kubeconfigPath);
  const server = kc.getCurrentCluster()?.server ?? '(no server)';
  const api = kc.makeApiClient(CoreV1Api);
  return {
    server,
    listNodes: async () => {
      const out: ClusterNode[] = [];
      let token: string | undefined;
      do {
        let page;
        try {
          page = await api.listNode(
            { limit: pageSize, ...(token === undefined ? {} : { _continue: token }) },
            withTimeout(timeoutMs),
          );
        } catch (e: unknown) {
          throw apiFailure(server, 'list nodes', e, timeoutMs);
        }
        for (const item of page.items) out.push(clusterNodeOf(item));
        token = page.metadata?._continue;
      } while (token !== undefined && token !== '');
      return out;
    },
    mergePatchNode: async (name, patch) => {
      try {
        await api.patchNode(
          { name, body: patch },
          withTimeout(timeoutMs, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
        );
      } catch (e: unknown) {
        throw apiFailure(server, `patch node ${name}`, e, timeoutMs);
      }
    },
  };
}
