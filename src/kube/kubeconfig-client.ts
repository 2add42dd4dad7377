/**
 * A keep-alive RestClient built from a kubeconfig: @kubernetes/client-node loads the file and
 * resolves the current context's server, CA, client certificate and key, token (also from auth
 * providers and exec plugins) and skip-verify; undici then carries the requests over pooled
 * connections (client-node itself opens a connection per request: machine-facts.md).
 */
import type { RequestOptions } from 'node:https';
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { KosTestError, toError } from '../util/errors.js';
import { RestClient, type RestClientTls } from './rest-client.js';

export interface KubeconfigClientOptions {
  /** Pooled connections. @default 8 */
  connections?: number;
  userAgent?: string;
  requestTimeoutMs?: number;
  /**
   * How often credentials that expire (an exec plugin's token, a token file) are re-read; client-node
   * caches an exec token until its expirationTimestamp, so most re-reads cost nothing. @default 30000
   */
  credentialRefreshMs?: number;
}

export function loadKubeConfig(source: string | KubeConfig): KubeConfig {
  if (typeof source !== 'string') return source;
  if (!existsSync(source)) {
    throw new KosTestError({
      what: 'no kubeconfig at',
      value: source,
      fix: 'give --kubeconfig PATH or set KUBECONFIG',
    });
  }
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(source);
  } catch (e: unknown) {
    throw new KosTestError({
      what: 'cannot read the kubeconfig',
      value: `${source}: ${toError(e).message}`,
      fix: 'give a valid kubeconfig file',
    });
  }
  return kc;
}

export async function kubeconfigClient(
  source: string | KubeConfig,
  opts: KubeconfigClientOptions = {},
): Promise<{ client: RestClient; server: string; kubeConfig: KubeConfig }> {
  const kc = loadKubeConfig(source);
  const cluster = kc.getCurrentCluster();
  if (cluster === null || cluster.server === '') {
    throw new KosTestError({
      what: 'the kubeconfig has no current cluster',
      value: `${typeof source === 'string' ? `${source}, ` : ''}current-context ${kc.getCurrentContext() || '(none)'}`,
      fix: 'set current-context to a context with a cluster, e.g. kubectl config use-context NAME',
    });
  }
  // client-node refuses a plain http:// server unless the cluster skips TLS verification (kubectl
  // does not): say so in one line rather than with its stack.
  if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify) {
    throw new KosTestError({
      what: `the kubeconfig's cluster ${cluster.name} is plain HTTP`,
      value: cluster.server,
      fix: 'set insecure-skip-tls-verify: true on that cluster (the Kubernetes client requires it for http://), or use https://',
    });
  }
  const https: RequestOptions = {};
  await kc.applyToHTTPSOptions(https);
  const headers = credentialHeaders(https);
  const tls: RestClientTls = {};
  if (https.ca !== undefined) tls.ca = https.ca as string | Buffer;
  if (https.cert !== undefined) tls.cert = https.cert as string | Buffer;
  if (https.key !== undefined) tls.key = https.key as string | Buffer;
  if (https.rejectUnauthorized !== undefined) tls.rejectUnauthorized = https.rejectUnauthorized;
  if (https.servername !== undefined) tls.servername = https.servername;
  const server = cluster.server.replace(/\/+$/, '');
  const client = new RestClient({
    server,
    connections: opts.connections ?? 8,
    headers,
    ...(credentialsExpire(kc)
      ? { credentials: { read: () => readCredentials(kc), everyMs: opts.credentialRefreshMs ?? 30_000 } }
      : {}),
    ...(server.startsWith('https:') ? { tls } : {}),
    ...(opts.userAgent === undefined ? {} : { userAgent: opts.userAgent }),
    ...(opts.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: opts.requestTimeoutMs }),
  });
  return { client, server, kubeConfig: kc };
}

function credentialHeaders(https: RequestOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(https.headers ?? {})) if (typeof v === 'string') headers[k] = v;
  if (typeof https.auth === 'string')
    headers.authorization = `Basic ${Buffer.from(https.auth).toString('base64')}`;
  return headers;
}

async function readCredentials(kc: KubeConfig): Promise<Record<string, string>> {
  const https: RequestOptions = {};
  await kc.applyToHTTPSOptions(https);
  return credentialHeaders(https);
}

/** Exec plugins and auth providers (e.g. a pod's token file) hand out tokens that expire. */
function credentialsExpire(kc: KubeConfig): boolean {
  const user = kc.getCurrentUser();
  return user !== null && (user.exec !== undefined || user.authProvider !== undefined);
}
