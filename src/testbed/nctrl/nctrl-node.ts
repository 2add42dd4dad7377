/**
 * The testbed's nctrl node: KOS's kos-controller-manager, i.e. the IPAM controller and the
 * subnet validator, talking to a network-apiserver from the node's own loopback address, with
 * its metrics on `/metrics` and liveness on `/healthz`.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';
import { RestClient } from '../../kube/rest-client.js';
import { KosTestError, toError } from '../../util/errors.js';
import { IpamController } from './ipam-controller.js';
import { startMetricsServer } from '../../net/metrics-server.js';
import { SubnetValidator } from './subnet-validator.js';

export interface NctrlOptions {
  /** Node name, e.g. `nctrl0`; a label on its metrics. */
  name: string;
  /** The node's loopback address: metrics are served there and API requests come from it. */
  host: string;
  /** Network-apiserver URLs: the first that answers is used, the others when it refuses connections. */
  apiServers: readonly string[];
  /** @default 0 (any free port) */
  metricsPort?: number;
  /** IPAM workers. @default 4 */
  workers?: number;
  /** Subnet validator workers. @default 2 */
  validatorWorkers?: number;
  /** Longest wait for the first lists of subnets, attachments and locks. @default 30000 */
  startTimeoutMs?: number;
  log?: (message: string) => void;
}

export interface NctrlNode {
  endpoints: { metrics: string; healthz: string; api: string };
  ipam: IpamController;
  validator: SubnetValidator;
  stop(): Promise<void>;
}

const PROBE_TIMEOUT_MS = 3000;

/** The first server whose `/healthz` answers 200, in the order given. */
export async function firstReachable(servers: readonly string[], localAddress?: string): Promise<string> {
  const failures: string[] = [];
  for (const server of servers) {
    const client = new RestClient({
      server,
      requestTimeoutMs: PROBE_TIMEOUT_MS,
      ...(localAddress === undefined ? {} : { localAddress }),
    });
    try {
      await client.request('GET', '/healthz');
      return server;
    } catch (e: unknown) {
      failures.push(`${server}: ${toError(e).message}`);
    } finally {
      await client.close();
    }
  }
  throw new KosTestError({
    what: 'no network-apiserver answers',
    value: failures.join('; ') || '(none given)',
    fix: 'start the napi nodes first and pass their URLs',
  });
}

async function withTimeout<T>(work: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(error());
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function startNctrl(opts: NctrlOptions): Promise<NctrlNode> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${opts.name}: ${m}\n`));
  const server = await firstReachable(opts.apiServers, opts.host);
  const client = new RestClient({
    server,
    alternates: opts.apiServers,
    localAddress: opts.host,
    connections: Math.max(2, opts.workers ?? 4),
    userAgent: `kos-test/${opts.name}`,
  });
  const registry = new Registry();
  registry.setDefaultLabels({ node: opts.name });
  collectDefaultMetrics({ register: registry });
  const ipam = new IpamController({
    client,
    registry,
    log,
    ...(opts.workers === undefined ? {} : { workers: opts.workers }),
  });
  const validator = new SubnetValidator({
    client,
    registry,
    log,
    ...(opts.validatorWorkers === undefined ? {} : { workers: opts.validatorWorkers }),
  });
  let running = false;
  const stopControllers = async (): Promise<void> => {
    running = false;
    await Promise.allSettled([ipam.stop(), validator.stop()]);
    await client.close();
  };
  try {
    await withTimeout(Promise.all([validator.start(), ipam.start()]), opts.startTimeoutMs ?? 30_000, () => {
      return new KosTestError({
        what: `${opts.name} could not list subnets, attachments and locks`,
        value: `${server} within ${opts.startTimeoutMs ?? 30_000} ms`,
        fix: 'check that the network-apiserver serves and that etcd is healthy',
      });
    });
    running = true;
    const metrics = await startMetricsServer({
      name: opts.name,
      host: opts.host,
      ...(opts.metricsPort === undefined ? {} : { port: opts.metricsPort }),
      registry,
      healthy: () => running,
    });
    let stopping: Promise<void> | undefined;
    return {
      endpoints: { metrics: `${metrics.url}/metrics`, healthz: `${metrics.url}/healthz`, api: server },
      ipam,
      validator,
      stop: () => {
        stopping ??= (async () => {
          await stopControllers();
          await metrics.close();
        })();
        return stopping;
      },
    };
  } catch (e: unknown) {
    await stopControllers();
    throw e;
  }
}
