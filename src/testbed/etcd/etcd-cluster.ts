/**
 * Real etcd clusters of 1 or 3 members as child processes, each on its own loopback address,
 * data dir and ports; started, waited on until healthy, and stopped cleanly.
 */
import { readFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { findFreePort } from '../../net/free-port.js';
import { spawnManaged, type ManagedChild } from '../../process/child-registry.js';
import { KosTestError } from '../../util/errors.js';
import { findEtcdBinary } from './find-etcd.js';

export interface EtcdClusterOptions {
  /** Cluster name; members are `${name}0`, `${name}1`, ... */
  name: string;
  members: 1 | 3;
  /** One loopback address per member. @default all '127.0.0.1' */
  hosts?: string[];
  /** Parent directory; member i keeps its data in `${dataDir}/${name}${i}`. */
  dataDir: string;
  /** Wipe members' old data first. @default true */
  wipe?: boolean;
  binary?: string;
  /** @default 20000 */
  readyTimeoutMs?: number;
  quotaBackendBytes?: number;
  /** How often etcd tells watchers how far they are (lets watch caches advance). @default '1s' */
  progressNotifyInterval?: string;
}

export interface EtcdMember {
  name: string;
  host: string;
  clientPort: number;
  peerPort: number;
  clientUrl: string;
  metricsUrl: string;
  dataDir: string;
  pid: number;
  logFile: string;
}

export interface EtcdCluster {
  name: string;
  members: EtcdMember[];
  clientUrls: string[];
  stop(): Promise<void>;
  stopMember(i: number, signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

interface Planned extends Omit<EtcdMember, 'pid'> {
  metricsPort: number;
}

async function plan(opts: EtcdClusterOptions): Promise<Planned[]> {
  const planned: Planned[] = [];
  for (let i = 0; i < opts.members; i++) {
    const host = opts.hosts?.[i] ?? '127.0.0.1';
    if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) {
      throw new KosTestError({ what: 'etcd member address is not loopback', value: host, fix: 'use an address in 127.0.0.0/8' });
    }
    const name = `${opts.name}${i}`;
    const [clientPort, peerPort, metricsPort] = [await findFreePort(host), await findFreePort(host), await findFreePort(host)];
    planned.push({
      name,
      host,
      clientPort,
      peerPort,
      metricsPort,
      clientUrl: `http://${host}:${clientPort}`,
      metricsUrl: `http://${host}:${metricsPort}/metrics`,
      dataDir: join(opts.dataDir, name),
      logFile: join(opts.dataDir, `${name}.log`),
    });
  }
  return planned;
}

async function healthy(clientUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { health?: string };
    return body.health === 'true';
  } catch {
    return false;
  }
}

async function tail(file: string, lines = 5): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim().split('\n').slice(-lines).join(' | ');
  } catch {
    return '(no log)';
  }
}

export async function startEtcdCluster(opts: EtcdClusterOptions): Promise<EtcdCluster> {
  const binary = opts.binary ?? findEtcdBinary();
  try {
    await mkdir(opts.dataDir, { recursive: true });
  } catch (e: unknown) {
    throw new KosTestError({ what: 'cannot create the etcd data directory', value: opts.dataDir, fix: 'choose a writable --dir', cause: e });
  }
  const members = await plan(opts);
  const token = `${opts.name}-${randomBytes(4).toString('hex')}`;
  const initialCluster = members.map((m) => `${m.name}=http://${m.host}:${m.peerPort}`).join(',');
  const children: ManagedChild[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(children.map((c) => c.stop()));
  };
  try {
    for (const m of members) {
      if (opts.wipe ?? true) await rm(m.dataDir, { recursive: true, force: true });
      const args = [
        '--name', m.name,
        '--data-dir', m.dataDir,
        '--listen-client-urls', m.clientUrl,
        '--advertise-client-urls', m.clientUrl,
        '--listen-peer-urls', `http://${m.host}:${m.peerPort}`,
        '--initial-advertise-peer-urls', `http://${m.host}:${m.peerPort}`,
        '--listen-metrics-urls', `http://${m.host}:${m.metricsPort}`,
        '--initial-cluster', initialCluster,
        '--initial-cluster-state', 'new',
        '--initial-cluster-token', token,
        '--experimental-watch-progress-notify-interval', opts.progressNotifyInterval ?? '1s',
        ...(opts.quotaBackendBytes === undefined ? [] : ['--quota-backend-bytes', String(opts.quotaBackendBytes)]),
      ];
      try {
        children.push(await spawnManaged({ name: m.name, command: binary, args, logFile: m.logFile }));
      } catch (e: unknown) {
        throw new KosTestError({
          what: 'cannot start etcd',
          value: `${binary} (${e instanceof Error ? e.message : String(e)})`,
          fix: 'install it with: apt-get install -y etcd-server etcd-client',
          cause: e,
        });
      }
    }
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 20_000);
    for (const [i, m] of members.entries()) {
      while (!(await healthy(m.clientUrl))) {
        if (children[i]?.isRunning() !== true) {
          throw new KosTestError({ what: `etcd member ${m.name} exited while starting`, value: await tail(m.logFile), fix: `see ${m.logFile}` });
        }
        if (Date.now() > deadline) {
          throw new KosTestError({ what: `etcd member ${m.name} did not become healthy`, value: await tail(m.logFile), fix: `see ${m.logFile}` });
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (e: unknown) {
    await stopAll();
    throw e;
  }
  return {
    name: opts.name,
    members: members.map((m, i) => ({ ...m, pid: children[i]?.pid ?? -1 })),
    clientUrls: members.map((m) => m.clientUrl),
    stop: stopAll,
    stopMember: async (i, signal = 'SIGTERM') => {
      await children[i]?.stop({ signal });
    },
  };
}
