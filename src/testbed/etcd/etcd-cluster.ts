/**
 * Real etcd clusters of 1 or 3 members as managed child processes, each on its own loopback
 * address, data dir and ports; started, waited on until every member is healthy, and stopped
 * cleanly. A startup failure stops whatever was started and quotes the failing member's log.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort } from '../../net/free-port.js';
import {
  addStopHook,
  spawnManaged,
  type ChildExit,
  type ManagedChild,
} from '../../process/child-registry.js';
import { KosTestError, toError } from '../../util/errors.js';
import { checkEtcdBinary, findEtcdBinary } from './find-etcd.js';

export interface EtcdClusterOptions {
  /** Cluster name, e.g. 'netcd'; members are `${name}0`, `${name}1`, ... */
  name: string;
  members: 1 | 3;
  /** One address in 127.0.0.0/8 per member. @default all '127.0.0.1' */
  hosts?: string[];
  /** Parent directory; member i keeps its data in `${dataDir}/${name}${i}`, its log beside it. */
  dataDir: string;
  /**
   * Wipe members' old data and logs first. @default true. Kept data only suits 1 member: etcd
   * then uses the peer URLs it stored, and our fresh peer ports would not match them.
   */
  wipe?: boolean;
  /** @default findEtcdBinary() */
  binary?: string;
  /** @default 20000 */
  readyTimeoutMs?: number;
  signal?: AbortSignal;
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
  /** Stops every member gracefully (SIGTERM); idempotent. */
  stop(): Promise<void>;
  /** Stops one member: SIGTERM (graceful, the default) or SIGKILL (a crash). */
  stopMember(i: number, signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Resolves when member i's current process exits (for whoever restarts it). */
  memberExited(i: number): Promise<ChildExit>;
  /**
   * Starts member i again on its data and ports, as a kubelet restarts a crashed etcd pod;
   * resolves once it is healthy, rejects if it exits or stays unhealthy. Its pid is updated.
   */
  restartMember(i: number): Promise<void>;
}

interface Config {
  name: string;
  hosts: string[];
  dataDir: string;
  wipe: boolean;
  binary: string;
  readyTimeoutMs: number;
  signal: AbortSignal | undefined;
  extraArgs: string[];
}

interface PlannedMember extends Omit<EtcdMember, 'pid'> {
  peerUrl: string;
  metricsPort: number;
}

type Attempt = { ok: true; cluster: EtcdCluster } | { ok: false; error: Error; portCollision: boolean };

const POLL_MS = 100;
const HEALTH_REQUEST_MS = 1000;
const LOG_TAIL_LINES = 12;
const NOTABLE_LOG_LINE = /"level":"(error|fatal|panic)"|^(invalid|flag provided|error)/i;

export async function startEtcdCluster(opts: EtcdClusterOptions): Promise<EtcdCluster> {
  const cfg = configure(opts);
  await makeDir(cfg.dataDir);
  // Ports are only free when we look; if another process grabs one first, try once more.
  let attempt = await tryStart(cfg);
  if (!attempt.ok && attempt.portCollision) attempt = await tryStart(cfg);
  if (!attempt.ok) throw attempt.error;
  return attempt.cluster;
}

function configure(opts: EtcdClusterOptions): Config {
  if (!/^[a-z0-9][a-z0-9-]*$/i.test(opts.name)) {
    throw new KosTestError({
      what: 'bad etcd cluster name',
      value: opts.name,
      fix: 'use letters, digits and dashes',
    });
  }
  // Callers may pass through unchecked CLI input, so check despite the type.
  const count: number = opts.members;
  if (count !== 1 && count !== 3) {
    throw new KosTestError({ what: 'bad etcd member count', value: String(count), fix: 'use 1 or 3' });
  }
  const hosts = opts.hosts ?? Array.from({ length: count }, () => '127.0.0.1');
  if (hosts.length !== count) {
    throw new KosTestError({
      what: `etcd cluster ${opts.name} needs one host per member`,
      value: `${hosts.length} hosts for ${count} members`,
      fix: `give exactly ${count} addresses`,
    });
  }
  for (const host of hosts) {
    if (!isIPv4(host) || !host.startsWith('127.')) {
      throw new KosTestError({
        what: 'etcd member address is not loopback',
        value: host,
        fix: 'use an address in 127.0.0.0/8',
      });
    }
  }
  const extraArgs = ['--experimental-watch-progress-notify-interval', opts.progressNotifyInterval ?? '1s'];
  if (opts.quotaBackendBytes !== undefined) {
    extraArgs.push('--quota-backend-bytes', String(opts.quotaBackendBytes));
  }
  return {
    name: opts.name,
    hosts,
    dataDir: opts.dataDir,
    wipe: opts.wipe ?? true,
    binary: opts.binary === undefined ? findEtcdBinary() : checkEtcdBinary(opts.binary),
    readyTimeoutMs: opts.readyTimeoutMs ?? 20_000,
    signal: opts.signal,
    extraArgs,
  };
}

async function tryStart(cfg: Config): Promise<Attempt> {
  cfg.signal?.throwIfAborted();
  const planned = await planMembers(cfg);
  const token = `${cfg.name}-${randomBytes(6).toString('hex')}`;
  const initialCluster = planned.map((m) => `${m.name}=${m.peerUrl}`).join(',');
  const children: ManagedChild[] = [];
  // One at a time: a leader stopping hands leadership to a live peer first, and waits ~7 s
  // (past our SIGKILL grace) when that peer is shutting down at the same moment.
  const stopAll = async (): Promise<void> => {
    for (const c of children) await c.stop();
  };
  const started = Date.now();
  const spawnMember = (m: PlannedMember): ManagedChild =>
    spawnManaged({
      name: `etcd member ${m.name}`,
      command: cfg.binary,
      // On a restart etcd finds its member in the data dir and ignores the initial-cluster flags.
      args: memberArgs(m, initialCluster, token, cfg.extraArgs),
      env: childEnv(),
      logFile: m.logFile,
      diesWithParent: true,
    });
  try {
    for (const m of planned) {
      if (cfg.wipe) {
        await rm(m.dataDir, { recursive: true, force: true });
        await rm(m.logFile, { force: true });
      }
      children.push(spawnMember(m));
    }
    const failure = await waitHealthy(cfg, planned, children, started);
    if (failure !== undefined) {
      await stopAll();
      return { ok: false, ...failure };
    }
  } catch (e: unknown) {
    await stopAll();
    throw e;
  }
  const restart = async (i: number): Promise<ManagedChild> => {
    const m = planned[i] as PlannedMember;
    const child = spawnMember(m);
    children[i] = child;
    const failure = await waitHealthy(cfg, [m], [child], Date.now());
    if (failure === undefined) return child;
    await child.stop();
    throw failure.error;
  };
  return { ok: true, cluster: makeCluster(cfg.name, planned, children, stopAll, restart) };
}

async function planMembers(cfg: Config): Promise<PlannedMember[]> {
  // The kernel may hand out a port just released, so never reuse one within a cluster.
  const taken = new Set<number>();
  const freshPort = async (host: string): Promise<number> => {
    for (;;) {
      const port = await findFreePort(host);
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  const planned: PlannedMember[] = [];
  for (const [i, host] of cfg.hosts.entries()) {
    const name = `${cfg.name}${i}`;
    const clientPort = await freshPort(host);
    const peerPort = await freshPort(host);
    const metricsPort = await freshPort(host);
    planned.push({
      name,
      host,
      clientPort,
      peerPort,
      metricsPort,
      clientUrl: `http://${host}:${clientPort}`,
      peerUrl: `http://${host}:${peerPort}`,
      metricsUrl: `http://${host}:${metricsPort}/metrics`,
      dataDir: join(cfg.dataDir, name),
      logFile: join(cfg.dataDir, `${name}.log`),
    });
  }
  return planned;
}

function memberArgs(m: PlannedMember, initialCluster: string, token: string, extra: string[]): string[] {
  return [
    ...['--name', m.name, '--data-dir', m.dataDir],
    ...['--listen-client-urls', m.clientUrl, '--advertise-client-urls', m.clientUrl],
    ...['--listen-peer-urls', m.peerUrl, '--initial-advertise-peer-urls', m.peerUrl],
    ...['--listen-metrics-urls', `http://${m.host}:${m.metricsPort}`],
    ...[
      '--initial-cluster',
      initialCluster,
      '--initial-cluster-state',
      'new',
      '--initial-cluster-token',
      token,
    ],
    // JSON lines instead of 3.4's deprecated capnslog default.
    ...['--logger', 'zap', '--log-outputs', 'stderr'],
    ...extra,
  ];
}

/** Our environment minus ETCD_* variables, which etcd would read as flags. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('ETCD_') || key === 'ETCD_UNSUPPORTED_ARCH') env[key] = value;
  }
  // etcd 3.4 refuses to run on arm64 unless told it may.
  if (process.arch === 'arm64') env.ETCD_UNSUPPORTED_ARCH ??= 'arm64';
  return env;
}

/** Polls every member's /health; returns why startup failed, or undefined once all are healthy. */
async function waitHealthy(
  cfg: Config,
  planned: PlannedMember[],
  children: ManagedChild[],
  started: number,
): Promise<{ error: Error; portCollision: boolean } | undefined> {
  const healthy = new Set<number>();
  const deadline = started + cfg.readyTimeoutMs;
  for (;;) {
    cfg.signal?.throwIfAborted();
    for (const [i, child] of children.entries()) {
      if (child.isRunning()) continue;
      const m = planned[i] as PlannedMember;
      const exit = await child.exited;
      const tail = await logTail(m.logFile);
      return {
        portCollision: /address already in use/i.test(tail),
        error: new KosTestError({
          what:
            `etcd member ${m.name} exited before the cluster became healthy ` +
            `(${exit.signal ?? `exit code ${String(exit.code)}`}); last lines of its log:\n${tail}\nlog`,
          value: m.logFile,
          fix: 'fix what the log reports, e.g. free the address or choose another data dir',
        }),
      };
    }
    const pending = planned.map((_, i) => i).filter((i) => !healthy.has(i));
    const results = await Promise.all(pending.map((i) => isHealthy(planned[i]?.clientUrl ?? '', cfg.signal)));
    pending.forEach((i, k) => {
      if (results[k] === true) healthy.add(i);
    });
    if (healthy.size === planned.length) return undefined;
    if (Date.now() >= deadline) {
      const stuck = planned.filter((_, i) => !healthy.has(i));
      const first = stuck[0] as PlannedMember;
      return {
        portCollision: false,
        error: new KosTestError({
          what:
            `etcd cluster ${cfg.name} was not healthy within ${cfg.readyTimeoutMs} ms ` +
            `(unhealthy: ${stuck.map((m) => m.name).join(', ')}); last lines of ${first.name}'s log:\n` +
            `${await logTail(first.logFile)}\nlog`,
          value: first.logFile,
          fix: 'fix what the log reports, or raise the ready timeout on a slow machine',
        }),
      };
    }
    // An abort ends the sleep early; the check at the top then throws the caller's reason.
    await sleep(POLL_MS, undefined, { signal: cfg.signal }).catch(() => undefined);
  }
}

/** etcd 3.4 answers GET /health with {"health":"true"} once the member has a leader. */
async function isHealthy(clientUrl: string, signal: AbortSignal | undefined): Promise<boolean> {
  const timeout = AbortSignal.timeout(HEALTH_REQUEST_MS);
  try {
    const res = await fetch(`${clientUrl}/health`, {
      signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
    });
    const body = (await res.json()) as { health?: unknown };
    return res.ok && body.health === 'true';
  } catch {
    // Not listening yet, or no leader yet; the caller polls again.
    return false;
  }
}

function makeCluster(
  name: string,
  planned: PlannedMember[],
  children: ManagedChild[],
  stopAll: () => Promise<void>,
  restart: (i: number) => Promise<ManagedChild>,
): EtcdCluster {
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= stopAll().finally(removeHook));
  // So that ^C (stopAllChildren) also stops members one at a time.
  const removeHook = addStopHook(stop);
  const members: EtcdMember[] = planned.map((m, i) => ({
    name: m.name,
    host: m.host,
    clientPort: m.clientPort,
    peerPort: m.peerPort,
    clientUrl: m.clientUrl,
    metricsUrl: m.metricsUrl,
    dataDir: m.dataDir,
    pid: children[i]?.pid ?? -1,
    logFile: m.logFile,
  }));
  const childOf = (i: number): ManagedChild => {
    const child = children[i];
    if (child === undefined) {
      throw new KosTestError({
        what: `etcd cluster ${name} has no member with this index`,
        value: String(i),
        fix: `use 0 to ${children.length - 1}`,
      });
    }
    return child;
  };
  return {
    name,
    members,
    clientUrls: planned.map((m) => m.clientUrl),
    stop,
    stopMember: async (i, signal = 'SIGTERM') => {
      const child = childOf(i);
      if (signal === 'SIGTERM') return child.stop();
      child.kill('SIGKILL');
      await child.exited;
    },
    memberExited: (i) => childOf(i).exited,
    restartMember: async (i) => {
      childOf(i);
      if (stopping !== undefined) return;
      const child = await restart(i);
      (members[i] as EtcdMember).pid = child.pid;
    },
  };
}

async function makeDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e: unknown) {
    throw new KosTestError({
      what: 'cannot create the etcd data directory',
      value: `${dir} (${toError(e).message})`,
      fix: 'choose a directory you can write to',
      cause: e,
    });
  }
}

/**
 * The last lines of a log, indented for quoting in an error. Errors further up (etcd prints a
 * bad flag first, then its usage) are quoted before them.
 */
async function logTail(file: string): Promise<string> {
  let text: string;
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, 64 * 1024);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      text = buffer.toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (e: unknown) {
    return `    (cannot read ${file}: ${toError(e).message})`;
  }
  const lines = text.trimEnd().split('\n');
  const tail = lines.slice(-LOG_TAIL_LINES);
  const earlier = lines.slice(0, -LOG_TAIL_LINES).filter((l) => NOTABLE_LOG_LINE.test(l));
  const quoted = earlier.length === 0 ? tail : [...earlier.slice(-3), '...', ...tail];
  return quoted.map((l) => `    ${l}`).join('\n');
}
