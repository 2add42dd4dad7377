/**
 * `deployments/<name>/scale` as kube-apiserver serves it: an autoscaling/v1 Scale view of the
 * Deployment (spec.replicas, status.replicas, the selector as text). GET reads it; PUT and PATCH
 * change only spec.replicas, with the Deployment's resourceVersion as the Scale's, so a stale
 * precondition is a 409 and a negative count a 422, as on a real cluster.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import fastJsonPatch from 'fast-json-patch';
import { workloadStrategy } from '../../api/apps/apps-strategy.js';
import { scaleSchema } from '../../api/apps/apps-schemas.js';
import { deployments, replicasErrors, replicasOf } from '../../api/apps/deployment-type.js';
import { applyMergePatch } from '../../api/merge-patch.js';
import type { KosObject } from '../../api/meta.js';
import { ApiError, apiErrors } from '../../api/status.js';
import { subjectOf, type ApiContext } from '../napi/api-context.js';
import type { StoredObject } from '../napi/etcd-store.js';
import { mediaType, parseJson, parseJsonObject, readBody, sendJsonText } from '../napi/http-io.js';

const MAX_RETRIES = 16;
const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];
const SCALE_SUBJECT = (name: string) => ({ group: 'autoscaling', resource: 'scale', kind: 'Scale', name });

export interface ScaleTarget {
  namespace: string;
  name: string;
}

/** The Scale view of a stored Deployment. */
export function scaleOf(stored: StoredObject): Record<string, unknown> {
  const d = stored.obj;
  const matchLabels = (d.spec?.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels;
  const status = d.status?.replicas;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: d.metadata.name,
      namespace: d.metadata.namespace,
      uid: d.metadata.uid,
      resourceVersion: String(stored.rev),
      creationTimestamp: d.metadata.creationTimestamp,
    },
    spec: { replicas: replicasOf(d) },
    status: {
      replicas: typeof status === 'number' ? status : 0,
      selector: Object.entries(matchLabels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    },
  };
}

export async function serveScale(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: ScaleTarget,
): Promise<void> {
  const method = req.method ?? 'GET';
  if (method === 'GET') {
    sendJsonText(res, 200, JSON.stringify(scaleOf(await current(ctx, target))));
    return;
  }
  if (method !== 'PUT' && method !== 'PATCH') throw apiErrors.methodNotAllowed(method);
  const type = mediaType(req.headers['content-type']);
  const accepted = method === 'PUT' ? ['application/json'] : PATCH_TYPES;
  const body = await readBody(req, ctx.limits.maxBodyBytes);
  if (!accepted.includes(type)) throw apiErrors.unsupportedMediaType(type === '' ? '(none)' : type, accepted);
  const change =
    method === 'PUT'
      ? putChange(parseJsonObject(body), target.name)
      : patchChange(parseJson(body.toString('utf8'), 'the patch'), type, target.name);
  sendJsonText(res, 200, JSON.stringify(scaleOf(await writeScale(ctx, target, change))));
}

/** From the current Scale to the wanted one; `precondition` is the Scale's resourceVersion named. */
type ScaleChange = (scale: Record<string, unknown>) => {
  replicas: unknown;
  precondition: string | undefined;
};

function decodeScale(raw: unknown): { replicas: unknown; resourceVersion: string | undefined } {
  const parsed = scaleSchema.safeParse(raw);
  if (!parsed.success)
    throw apiErrors.badRequest(`invalid Scale: ${parsed.error.issues[0]?.message ?? 'cannot decode'}`);
  const rv = parsed.data.metadata.resourceVersion;
  return { replicas: parsed.data.spec.replicas, resourceVersion: rv === '' ? undefined : rv };
}

function putChange(raw: Record<string, unknown>, name: string): ScaleChange {
  const scale = decodeScale(raw);
  const named = (raw.metadata as { name?: unknown } | undefined)?.name;
  if (named !== undefined && named !== name)
    throw apiErrors.badRequest(
      `the name of the object (${JSON.stringify(named)}) does not match the name on the URL (${name})`,
    );
  return () => ({ replicas: scale.replicas ?? 0, precondition: scale.resourceVersion });
}

function patchChange(patch: unknown, type: string, name: string): ScaleChange {
  const json = type === 'application/json-patch+json';
  if (json ? !Array.isArray(patch) : patch === null || typeof patch !== 'object' || Array.isArray(patch))
    throw apiErrors.badRequest(`a ${type} patch must be a JSON ${json ? 'array of operations' : 'object'}`);
  return (scale) => {
    let patched: unknown;
    if (json) {
      try {
        patched = fastJsonPatch.applyPatch(
          structuredClone(scale),
          patch as fastJsonPatch.Operation[],
          true,
          false,
        ).newDocument;
      } catch (e: unknown) {
        const message = e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e);
        if (e instanceof fastJsonPatch.JsonPatchError && e.name === 'TEST_OPERATION_FAILED')
          throw apiErrors.conflict(SCALE_SUBJECT(name), `the json patch test failed: ${message}`);
        throw new ApiError(422, 'Invalid', `the json patch could not be applied: ${message}`);
      }
    } else patched = applyMergePatch(structuredClone(scale), patch);
    const next = decodeScale(patched);
    const was = (scale.metadata as { resourceVersion?: string }).resourceVersion;
    return {
      replicas: next.replicas,
      precondition: next.resourceVersion === was ? undefined : next.resourceVersion,
    };
  };
}

async function current(ctx: ApiContext, target: ScaleTarget): Promise<StoredObject> {
  const stored = await ctx.store.get(deployments, target.namespace, target.name);
  if (stored === undefined) throw apiErrors.notFound(subjectOf(deployments, target.name));
  return stored;
}

/** Writes spec.replicas into the Deployment, retrying on a concurrent write unless a version was named. */
async function writeScale(ctx: ApiContext, target: ScaleTarget, change: ScaleChange): Promise<StoredObject> {
  for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
    const stored = await current(ctx, target);
    const { replicas, precondition } = change(scaleOf(stored));
    if (precondition !== undefined && precondition !== String(stored.rev))
      throw apiErrors.staleVersion(subjectOf(deployments, target.name));
    const errors = replicasErrors('spec.replicas', replicas);
    if (typeof replicas !== 'number')
      errors.push({ type: 'FieldValueRequired', field: 'spec.replicas', message: 'a count is required' });
    if (errors.length > 0) throw apiErrors.invalid(SCALE_SUBJECT(target.name), errors);
    if (replicas === replicasOf(stored.obj)) return stored;
    const next: KosObject = structuredClone(stored.obj);
    next.spec = { ...next.spec, replicas };
    delete next.metadata.resourceVersion;
    workloadStrategy.prepareForUpdate(deployments, next, stored.obj, '', undefined);
    const outcome = await ctx.store.update(deployments, next, stored.rev);
    if (outcome.ok) return outcome.stored;
    if (precondition !== undefined) throw apiErrors.staleVersion(subjectOf(deployments, target.name));
  }
  throw apiErrors.conflict(
    subjectOf(deployments, target.name),
    `gave up after ${MAX_RETRIES} conflicting writes`,
  );
}
