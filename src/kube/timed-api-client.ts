/**
 * @kubernetes/client-node API clients whose every call has a deadline (client-node has none of
 * its own), and whose calls that get no answer (refused, unresolvable, timed out, TLS refused)
 * fail as one-line KosTestErrors naming the server. Answers with an error status still reject
 * with client-node's ApiException, so callers can test its code (a 404, a 409).
 */
import {
  ApiException,
  Observable,
  ServerConfiguration,
  createConfiguration,
  type ConfigurationOptions,
  type KubeConfig,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import { KosTestError, toError } from '../util/errors.js';

/** Per-request options that abort a request after timeoutMs; 0 = no limit. */
export function withTimeout(
  timeoutMs: number,
  options?: ConfigurationOptions,
): ConfigurationOptions | undefined {
  if (timeoutMs <= 0) return options;
  return {
    ...options,
    middleware: [...(options?.middleware ?? []), timeoutMiddleware(timeoutMs)],
    middlewareMergeStrategy: 'append',
  };
}

function timeoutMiddleware(timeoutMs: number) {
  return {
    pre: (ctx: RequestContext) => {
      ctx.setSignal(AbortSignal.timeout(timeoutMs));
      return new Observable(Promise.resolve(ctx));
    },
    post: (ctx: ResponseContext) => new Observable(Promise.resolve(ctx)),
  };
}

export interface TimedClientOptions {
  /** Longest wait for one call's answer; 0 = no limit. */
  timeoutMs: number;
  /** The fix named when the server cannot be reached, e.g. "correct target.kubeconfig". */
  fix: string;
  /** Where the deadline is set, named when a call ran out of time, e.g. "target.requestTimeout". */
  timeoutSetting: string;
}

/**
 * kc.makeApiClient(Api), with the deadline on every call and calls that get no answer turned
 * into KosTestErrors.
 */
export function makeTimedApiClient<T extends object>(
  kc: KubeConfig,
  Api: new (config: ReturnType<typeof createConfiguration>) => T,
  opts: TimedClientOptions,
): T {
  const server = kc.getCurrentCluster()?.server ?? '(no current cluster)';
  const config = createConfiguration({
    baseServer: new ServerConfiguration(server, {}),
    authMethods: { default: kc },
    ...(opts.timeoutMs > 0 ? { middleware: [timeoutMiddleware(opts.timeoutMs)] } : {}),
  });
  const api = new Api(config);
  return new Proxy(api, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]): Promise<unknown> => {
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (e: unknown) {
          throw noAnswerError(server, String(property), e, opts) ?? e;
        }
      };
    },
  });
}

/** The one-line error for a call that got no answer; undefined when the server did answer. */
export function noAnswerError(
  server: string,
  call: string,
  e: unknown,
  opts: TimedClientOptions,
): KosTestError | undefined {
  if (e instanceof ApiException || e instanceof KosTestError) return undefined;
  const err = toError(e);
  if (err.name === 'AbortError' || err.name === 'TimeoutError') {
    return new KosTestError({
      what: `the Kubernetes API server did not answer ${call} in ${opts.timeoutMs / 1000} s`,
      value: server,
      fix: `${opts.fix}, or raise ${opts.timeoutSetting}`,
      cause: e,
    });
  }
  const code = (e as { code?: unknown }).code;
  const reason = typeof code === 'string' ? code : (err.message.split('\n')[0] ?? err.message);
  return new KosTestError({
    what: 'cannot reach the Kubernetes API server',
    value: `${server} (${reason})`,
    fix: opts.fix,
    cause: e,
  });
}
