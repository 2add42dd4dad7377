/**
 * The real Prometheus on the testbed's data0 node: a managed child with its own data directory,
 * listening on data0's loopback address (port chosen by the kernel, read back from its log),
 * scraping the file_sd targets the supervisor writes. Ready means: serving, and holding a
 * sample of the cost exporter taken after a given time (Prometheus's first scrape comes only
 * after service discovery's first update, ~5 s after start).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnManaged, type ManagedChild } from '../../process/child-registry.js';
import { createPrometheusClient } from '../../prometheus/prometheus-api.js';
import {
  fileSdContent,
  sdFile,
  TESTBED_JOBS,
  TESTBED_SCRAPE_INTERVAL_MS,
  testbedPrometheusConfig,
  type TestbedTargets,
} from './testbed-config.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { KosTestError } from '../../util/errors.js';
import { findPrometheusBinary } from './find-prometheus.js';

export interface TestbedPrometheusOptions {
  /** Its own directory: config, file_sd files, data, log. */
  dir: string;
  host: string;
  targets: TestbedTargets;
  /** @default 1000 */
  scrapeIntervalMs?: number;
  /** @default 20000 */
  startTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** More flags, e.g. `--query.max-samples=100` for a test. */
  extraArgs?: string[];
}

export interface TestbedPrometheus {
  /** e.g. http://127.20.0.1:40123 */
  readonly url: string;
  readonly pid: number;
  readonly dataDir: string;
  readonly scrapeIntervalMs: number;
  readonly child: ManagedChild;
  setTargets(targets: TestbedTargets): Promise<void>;
  /** Resolves once Prometheus holds a cost-exporter sample taken at or after `sinceMs`. */
  waitForExporterSample(sinceMs: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const LISTENING = /msg="Listening on" address=(\S+)/;

export async function startTestbedPrometheus(opts: TestbedPrometheusOptions): Promise<TestbedPrometheus> {
  const binary = findPrometheusBinary(opts.env);
  const sdDir = join(opts.dir, 'sd');
  const dataDir = join(opts.dir, 'data');
  const logFile = join(opts.dir, 'prometheus.log');
  const configFile = join(opts.dir, 'prometheus.yml');
  const scrapeIntervalMs = opts.scrapeIntervalMs ?? TESTBED_SCRAPE_INTERVAL_MS;
  await mkdir(sdDir, { recursive: true });
  await mkdir(dataDir, { recursive: true });
  const setTargets = async (targets: TestbedTargets): Promise<void> => {
    await Promise.all(
      TESTBED_JOBS.map((job) => writeFileAtomic(sdFile(sdDir, job), fileSdContent(targets[job]))),
    );
  };
  await setTargets(opts.targets);
  await writeFileAtomic(configFile, testbedPrometheusConfig({ sdDir, scrapeIntervalMs }));
  const logStart = await readFile(logFile, 'utf8').then(
    (t) => t.length,
    () => 0,
  );
  const child = spawnManaged({
    name: 'prometheus',
    command: binary,
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=${opts.host}:0`,
      '--storage.tsdb.retention.time=30d',
      '--log.level=info',
      ...(opts.extraArgs ?? []),
    ],
    logFile,
    diesWithParent: true,
    ...(opts.env === undefined ? {} : { env: opts.env }),
  });
  try {
    const address = await waitForListening(child, logFile, logStart, opts.startTimeoutMs ?? 20_000);
    const url = `http://${address}`;
    await waitForReady(child, url, logFile, opts.startTimeoutMs ?? 20_000);
    const client = createPrometheusClient({ url, timeoutMs: 5000 });
    return {
      url,
      pid: child.pid,
      dataDir,
      scrapeIntervalMs,
      child,
      setTargets,
      async waitForExporterSample(sinceMs, timeoutMs = 30_000) {
        const deadline = Date.now() + timeoutMs;
        const expr = 'max(timestamp(container_cpu_usage_seconds_total{job="cadvisor",id="/"}))';
        for (;;) {
          const latest = await client.queryNumber(expr, Date.now()).catch(() => undefined);
          if (latest !== undefined && latest * 1000 >= sinceMs) return;
          if (!child.isRunning()) throw exitedError(logFile, await logTail(logFile));
          if (Date.now() > deadline) {
            throw new KosTestError({
              what: 'the testbed Prometheus has no cost-exporter sample',
              value: `after ${timeoutMs / 1000} s at ${url}`,
              fix: `see ${logFile} and ${url}/targets`,
            });
          }
          await sleep(200);
        }
      },
      stop: () => child.stop(),
    };
  } catch (e: unknown) {
    await child.stop();
    throw e;
  }
}

async function waitForListening(
  child: ManagedChild,
  logFile: string,
  logStart: number,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = (await readFile(logFile, 'utf8').catch(() => '')).slice(logStart);
    const m = LISTENING.exec(text);
    if (m?.[1] !== undefined) return m[1];
    if (!child.isRunning()) throw exitedError(logFile, lastLines(text));
    if (Date.now() > deadline) {
      throw new KosTestError({
        what: 'the testbed Prometheus did not start listening',
        value: `${timeoutMs / 1000} s; ${lastLines(text)}`,
        fix: `see ${logFile}`,
      });
    }
    await sleep(50);
  }
}

async function waitForReady(
  child: ManagedChild,
  url: string,
  logFile: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) }).then(
      async (r) => {
        await r.body?.cancel();
        return r.ok;
      },
      () => false,
    );
    if (ok) return;
    if (!child.isRunning()) throw exitedError(logFile, await logTail(logFile));
    if (Date.now() > deadline) {
      throw new KosTestError({
        what: 'the testbed Prometheus is not ready',
        value: url,
        fix: `see ${logFile}`,
      });
    }
    await sleep(100);
  }
}

function exitedError(logFile: string, tail: string): KosTestError {
  return new KosTestError({ what: 'the testbed Prometheus exited', value: tail, fix: `see ${logFile}` });
}

async function logTail(logFile: string): Promise<string> {
  return lastLines(await readFile(logFile, 'utf8').catch(() => ''));
}

function lastLines(text: string, n = 2): string {
  return text.trim().split('\n').slice(-n).join(' | ').slice(-400) || '(no log output)';
}
