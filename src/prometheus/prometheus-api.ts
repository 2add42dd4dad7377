/**
 * A small client for Prometheus's HTTP API (instant queries and readiness), with every failure
 * turned into one line a user can act on: not answering, not a Prometheus, a rejected query,
 * a failed query. Transport, cancellation and the per-request timeout are parameters.
 */
import { z } from 'zod';
import { KosTestError, toError } from '../util/errors.js';
import { promTime } from './prom-time.js';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface PrometheusClientOptions {
  /** Base URL, e.g. http://127.20.0.1:9090 (a path prefix such as /prometheus is kept). */
  url: string;
  fetch?: FetchLike;
  signal?: AbortSignal;
  /** Per request. @default 30000 */
  timeoutMs?: number;
}

const labelsSchema = z.record(z.string(), z.string());
const pointSchema = z.tuple([z.number(), z.string()]);
const matrixSchema = z.array(z.object({ metric: labelsSchema, values: z.array(pointSchema) }));
const vectorSchema = z.array(z.object({ metric: labelsSchema, value: pointSchema }));

const responseSchema = z.object({
  status: z.enum(['success', 'error']),
  data: z.object({ resultType: z.string(), result: z.unknown() }).optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
  warnings: z.array(z.string()).optional(),
});

const buildInfoSchema = z.object({ status: z.literal('success'), data: z.object({ version: z.string() }) });

export interface Series {
  labels: Record<string, string>;
  /** Raw samples: t in ms since the epoch. */
  samples: { t: number; v: number }[];
}

export interface PrometheusClient {
  readonly url: string;
  /** Instant query of a range selector: raw samples per series. */
  querySamples(expr: string, atMs: number): Promise<{ series: Series[]; warnings: string[] }>;
  /** Instant query of a scalar-valued expression; undefined when it has no value. */
  queryNumber(expr: string, atMs: number): Promise<number | undefined>;
  /** Instant query of a vector: each series' labels and value. */
  queryVector(expr: string, atMs: number): Promise<{ labels: Record<string, string>; value: number }[]>;
  /** Throws unless the server answers as a Prometheus that is ready. */
  checkReady(): Promise<void>;
}

export function createPrometheusClient(opts: PrometheusClientOptions): PrometheusClient {
  const base = checkUrl(opts.url);
  const doFetch = opts.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = opts.timeoutMs ?? 30_000;

  const call = async (path: string, form?: URLSearchParams): Promise<Response> => {
    const signals = [AbortSignal.timeout(timeoutMs), ...(opts.signal === undefined ? [] : [opts.signal])];
    try {
      return await doFetch(`${base}${path}`, {
        method: form === undefined ? 'GET' : 'POST',
        signal: AbortSignal.any(signals),
        ...(form === undefined
          ? {}
          : { body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      });
    } catch (e: unknown) {
      if (opts.signal?.aborted === true) throw e;
      throw new KosTestError({
        what: 'Prometheus does not answer',
        value: `${base} (${describeFetchError(e)})`,
        fix: 'check the --prometheus URL and that Prometheus runs (on the testbed: kos-test testbed up)',
        cause: e,
      });
    }
  };

  const query = async (
    expr: string,
    atMs: number,
  ): Promise<{ type: string; result: unknown; warnings: string[] }> => {
    const res = await call('/api/v1/query', new URLSearchParams({ query: expr, time: promTime(atMs) }));
    const text = await res.text();
    const parsed = responseSchema.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new KosTestError({
        what: 'not a Prometheus HTTP API',
        value: `${base}/api/v1/query answered HTTP ${res.status} ${text.slice(0, 80).replace(/\s+/g, ' ')}`,
        fix: "give Prometheus's base URL, e.g. http://127.20.0.1:9090",
      });
    }
    const body = parsed.data;
    if (body.status === 'error' || body.data === undefined) {
      const rejected = body.errorType === 'bad_data';
      throw new KosTestError({
        what: rejected ? 'Prometheus rejected the query' : 'Prometheus query failed',
        value: `${expr}: ${body.errorType ?? 'error'}: ${body.error ?? `HTTP ${res.status}`}`,
        fix: rejected ? 'this is a bug in kos-test; please report it' : 'retry; check the Prometheus log',
      });
    }
    return { type: body.data.resultType, result: body.data.result, warnings: body.warnings ?? [] };
  };

  return {
    url: base,
    async querySamples(expr, atMs) {
      const r = await query(expr, atMs);
      const matrix = r.type === 'matrix' ? matrixSchema.safeParse(r.result) : undefined;
      if (matrix?.success !== true) throw unexpected(expr, r.type);
      const series = matrix.data.map((s) => ({
        labels: s.metric,
        samples: s.values.map(([t, v]) => ({ t: Math.round(t * 1000), v: Number(v) })),
      }));
      return { series, warnings: r.warnings };
    },
    async queryNumber(expr, atMs) {
      const r = await query(expr, atMs);
      if (r.type === 'scalar') return Number(pointSchema.parse(r.result)[1]);
      const vector = r.type === 'vector' ? vectorSchema.safeParse(r.result) : undefined;
      if (vector?.success !== true) throw unexpected(expr, r.type);
      const first = vector.data[0];
      return first === undefined ? undefined : Number(first.value[1]);
    },
    async queryVector(expr, atMs) {
      const r = await query(expr, atMs);
      const vector = r.type === 'vector' ? vectorSchema.safeParse(r.result) : undefined;
      if (vector?.success !== true) throw unexpected(expr, r.type);
      return vector.data.map((s) => ({ labels: s.metric, value: Number(s.value[1]) }));
    },
    async checkReady() {
      const res = await call('/api/v1/status/buildinfo');
      const text = await res.text();
      const body = buildInfoSchema.safeParse(safeJson(text));
      if (!body.success) {
        throw new KosTestError({
          what: 'not a Prometheus HTTP API',
          value: `${base}/api/v1/status/buildinfo answered HTTP ${res.status} ${text.slice(0, 80).replace(/\s+/g, ' ')}`,
          fix: "give Prometheus's base URL, e.g. http://127.20.0.1:9090",
        });
      }
    },
  };
}

function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new KosTestError({
      what: 'bad Prometheus URL',
      value: url,
      fix: 'give e.g. http://127.20.0.1:9090',
    });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new KosTestError({ what: 'bad Prometheus URL', value: url, fix: 'use http:// or https://' });
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeFetchError(e: unknown): string {
  const err = toError(e);
  const cause: NodeJS.ErrnoException | undefined = err.cause === undefined ? undefined : toError(err.cause);
  const code = cause?.code;
  if (err.name === 'TimeoutError') return 'timed out';
  return code ?? cause?.message ?? err.message;
}

function unexpected(expr: string, type: string): KosTestError {
  return new KosTestError({
    what: 'unexpected Prometheus answer',
    value: `${expr} gave a ${type}`,
    fix: 'this is a bug in kos-test; please report it',
  });
}
