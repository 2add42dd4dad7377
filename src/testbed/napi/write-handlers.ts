/**
 * Create, update (PUT), patch, delete and deletecollection, with kube-apiserver's semantics:
 * optimistic concurrency on resourceVersion, status only through /status, preconditions on
 * delete, no-op updates that do not write, dry runs that do everything but write.
 */
import { randomUUID } from 'node:crypto';
import fastJsonPatch from 'fast-json-patch';
import { applyMergePatch } from '../../api/merge-patch.js';
import type { KosObject } from '../../api/meta.js';
import { formatMicroTime, formatTime } from '../../api/micro-time.js';
import { applyGenerateName } from '../../api/names.js';
import { sameJson } from '../../api/omit-empty.js';
import { deleteOptionsSchema } from '../../api/schemas.js';
import {
  apiVersionOf,
  isNamespaced,
  type ResourceType,
  type WriteStrategy,
} from '../../api/resource-type.js';
import { kosStrategy } from '../../api/strategy.js';
import { ApiError, apiErrors, type ErrorSubject } from '../../api/status.js';
import { subjectOf, type ApiContext, type ResourceRequest } from './api-context.js';
import { withoutVersion, type StoredObject } from './etcd-store.js';
import { mediaType, parseJson, readBody } from './http-io.js';
import { checkFieldValidation, decodeObject, metadataErrors } from './object-decoding.js';
import { readList } from './read-handlers.js';
import { objectMediaTypes, objectOfBody, sendObjectText } from './wire-format.js';
import { parseResourceVersion, type ListOptions } from './request-options.js';

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];
/** Attempts of an unconditional write (status PUT, patch without a version) before giving up. */
const MAX_RETRIES = 16;

function isDryRun(r: ResourceRequest): boolean {
  const values = r.query.getAll('dryRun');
  for (const v of values) {
    if (v !== 'All' && v !== '')
      throw apiErrors.badRequest(`invalid dryRun "${v}": the only supported value is All`);
  }
  return values.includes('All');
}

async function readObjectOrPatchBody(
  ctx: ApiContext,
  r: ResourceRequest,
  accepted: readonly string[],
): Promise<{ body: Buffer; type: string }> {
  const type = mediaType(r.req.headers['content-type']);
  const body = await readBody(r.req, ctx.limits.maxBodyBytes);
  if (!accepted.includes(type)) throw apiErrors.unsupportedMediaType(type === '' ? '(none)' : type, accepted);
  return { body, type };
}

function stamp(ctx: ApiContext): string {
  return formatMicroTime(ctx.stampMicros());
}

function strategyOf(type: ResourceType): WriteStrategy {
  return type.strategy ?? kosStrategy;
}

/** Cluster-scoped objects carry no namespace, whatever the client sent (as kube-apiserver does). */
function placeInNamespace(type: ResourceType, obj: KosObject, namespace: string | undefined): void {
  if (isNamespaced(type)) obj.metadata.namespace = namespace ?? '';
  else delete obj.metadata.namespace;
}

export async function handleCreate(ctx: ApiContext, r: ResourceRequest): Promise<void> {
  const dryRun = isDryRun(r);
  const { body, type } = await readObjectOrPatchBody(ctx, r, objectMediaTypes(r.type));
  const raw = objectOfBody(type, body);
  // A protobuf body cannot carry unknown fields.
  if (type === 'application/json') checkFieldValidation(r.type, raw, r.query.get('fieldValidation'), r.res);
  const obj = decodeObject(r.type, raw);
  const namespace = r.namespace ?? '';
  if (
    isNamespaced(r.type) &&
    obj.metadata.namespace !== undefined &&
    obj.metadata.namespace !== '' &&
    obj.metadata.namespace !== namespace
  ) {
    throw apiErrors.badRequest(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  }
  placeInNamespace(r.type, obj, namespace);
  if ((obj.metadata.name ?? '') === '' && (obj.metadata.generateName ?? '') !== '') {
    obj.metadata.name = applyGenerateName(obj.metadata.generateName ?? '');
  }
  if ((obj.metadata.name ?? '') === '') {
    throw apiErrors.invalid(subjectOf(r.type, ''), [
      { type: 'FieldValueRequired', field: 'metadata.name', message: 'name or generateName is required' },
    ]);
  }
  const name = obj.metadata.name ?? '';
  if (isNamespaced(r.type)) await ctx.namespaces.admitCreate(namespace, subjectOf(r.type, name));
  const errors = [...metadataErrors(obj), ...r.type.validate(obj)];
  if (errors.length > 0) throw apiErrors.invalid(subjectOf(r.type, name), errors);
  obj.metadata.uid = randomUUID();
  obj.metadata.creationTimestamp = formatTime(ctx.nowMs());
  delete obj.metadata.resourceVersion;
  delete obj.metadata.deletionTimestamp;
  strategyOf(r.type).prepareForCreate(r.type, obj, stamp(ctx));
  if (dryRun) {
    sendObjectText(r.res, r.format, 201, JSON.stringify(obj));
    return;
  }
  const outcome = await ctx.store.create(r.type, obj);
  if (!outcome.ok) throw apiErrors.alreadyExists(subjectOf(r.type, name));
  sendObjectText(r.res, r.format, 201, JSON.stringify(outcome.stored.obj));
}

/**
 * Computes the object to write from the current one. `precondition` is the resourceVersion the
 * client based its change on, if it named one; without one the write is retried on conflict.
 */
type Mutation = (current: StoredObject) => { next: KosObject; precondition: number | undefined };

async function guardedUpdate(
  ctx: ApiContext,
  r: ResourceRequest,
  mutate: Mutation,
  dryRun: boolean,
): Promise<StoredObject> {
  const name = r.name ?? '';
  const namespace = r.namespace ?? '';
  const subject = subjectOf(r.type, name);
  // Like kube-apiserver, start from the watch cache's copy and let the guarded write find out
  // whether it was current: an etcd read per update saved. A decision the copy alone would
  // justify (stale precondition, nothing to change) is only taken on a copy read from etcd.
  let current = cachedCopy(ctx, r.type, namespace, name);
  let fresh = current === undefined;
  if (current === undefined) current = await ctx.store.get(r.type, namespace, name);
  const reread = async (): Promise<void> => {
    current = await ctx.store.get(r.type, namespace, name);
    fresh = true;
  };
  for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
    if (current === undefined) throw apiErrors.notFound(subject);
    const { next, precondition } = mutate(current);
    if (precondition !== undefined && precondition !== current.rev) {
      if (!fresh) {
        await reread();
        continue;
      }
      throw apiErrors.staleVersion(subject);
    }
    const uid = next.metadata.uid;
    if (uid !== undefined && uid !== '' && uid !== current.obj.metadata.uid) {
      throw apiErrors.conflict(
        subject,
        `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.obj.metadata.uid ?? ''}`,
      );
    }
    next.metadata = {
      ...next.metadata,
      name,
      namespace: r.namespace ?? '',
      uid: current.obj.metadata.uid ?? '',
      creationTimestamp: current.obj.metadata.creationTimestamp ?? '',
    };
    placeInNamespace(r.type, next, r.namespace);
    delete next.metadata.resourceVersion;
    const strategy = strategyOf(r.type);
    strategy.prepareForUpdate(r.type, next, current.obj, stamp(ctx), r.subresource);
    const errors = [
      ...strategy.validateUpdate(r.type, next, current.obj),
      ...metadataErrors(next),
      ...r.type.validate(next),
    ];
    if (errors.length > 0) throw apiErrors.invalid(subject, errors);
    if (strategy.isFinished?.(next) === true) {
      // Nothing holds the object any more (e.g. a namespace's last finalizer went): delete it.
      if (dryRun) return { obj: next, rev: current.rev };
      const removed = await ctx.store.delete(r.type, current);
      if (removed.ok) {
        next.metadata.resourceVersion = String(removed.stored.rev);
        return { obj: next, rev: removed.stored.rev };
      }
      if (precondition !== undefined) throw apiErrors.staleVersion(subject);
      await reread();
      continue;
    }
    if (sameJson(next, { ...current.obj, metadata: withoutVersion(current.obj.metadata) }) || dryRun) {
      if (!fresh) {
        await reread();
        continue;
      }
      if (dryRun) next.metadata.resourceVersion = String(current.rev);
      return dryRun ? { obj: next, rev: current.rev } : current;
    }
    const outcome = await ctx.store.update(r.type, next, current.rev);
    if (outcome.ok) return outcome.stored;
    if (precondition !== undefined) throw apiErrors.staleVersion(subject);
    // The failed write read what is there now.
    current = outcome.current;
    fresh = true;
  }
  throw apiErrors.conflict(subject, `gave up after ${MAX_RETRIES} conflicting concurrent writes; try again`);
}

/** The watch cache's copy (CacheEntry.obj is a fresh one: mutations never reach the cache). */
function cachedCopy(
  ctx: ApiContext,
  type: ResourceType,
  namespace: string,
  name: string,
): StoredObject | undefined {
  const entry = ctx.cacheOf(type).get(namespace, name);
  return entry === undefined ? undefined : { obj: entry.obj, rev: entry.rev };
}

function preconditionOf(obj: KosObject): number | undefined {
  return parseResourceVersion(obj.metadata.resourceVersion);
}

export async function handleUpdate(ctx: ApiContext, r: ResourceRequest): Promise<void> {
  const dryRun = isDryRun(r);
  const { body, type } = await readObjectOrPatchBody(ctx, r, objectMediaTypes(r.type));
  const raw = objectOfBody(type, body);
  // A protobuf body cannot carry unknown fields.
  if (type === 'application/json') checkFieldValidation(r.type, raw, r.query.get('fieldValidation'), r.res);
  const obj = decodeObject(r.type, raw);
  const name = r.name ?? '';
  if ((obj.metadata.name ?? '') !== name) {
    throw apiErrors.badRequest(
      `the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${name})`,
    );
  }
  if (
    isNamespaced(r.type) &&
    obj.metadata.namespace !== undefined &&
    obj.metadata.namespace !== '' &&
    obj.metadata.namespace !== r.namespace
  ) {
    throw apiErrors.badRequest(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  }
  const precondition = preconditionOf(obj);
  if (
    precondition === undefined &&
    r.subresource !== 'status' &&
    !strategyOf(r.type).allowUnconditionalUpdate
  ) {
    throw apiErrors.invalid(subjectOf(r.type, name), [
      {
        type: 'FieldValueInvalid',
        field: 'metadata.resourceVersion',
        value: '0x0',
        message: 'must be specified for an update',
      },
    ]);
  }
  const stored = await guardedUpdate(ctx, r, () => ({ next: structuredClone(obj), precondition }), dryRun);
  sendObjectText(r.res, r.format, 200, JSON.stringify(stored.obj));
}

export async function handlePatch(ctx: ApiContext, r: ResourceRequest): Promise<void> {
  const dryRun = isDryRun(r);
  const { body, type } = await readObjectOrPatchBody(ctx, r, PATCH_TYPES);
  const patch = parseJson(body.toString('utf8'), 'the patch');
  const jsonPatch = type === 'application/json-patch+json';
  if (
    jsonPatch ? !Array.isArray(patch) : patch === null || typeof patch !== 'object' || Array.isArray(patch)
  ) {
    throw apiErrors.badRequest(
      `a ${type} patch must be a JSON ${jsonPatch ? 'array of operations' : 'object'}`,
    );
  }
  const mutate: Mutation = (current) => {
    const patched = jsonPatch
      ? applyJsonPatch(current.obj, patch as fastJsonPatch.Operation[], subjectOf(r.type, r.name ?? ''))
      : applyMergePatch(structuredClone(current.obj), patch);
    if (patched === null || typeof patched !== 'object' || Array.isArray(patched)) {
      throw apiErrors.badRequest('the patched object is not a JSON object');
    }
    checkFieldValidation(r.type, patched as Record<string, unknown>, r.query.get('fieldValidation'), r.res);
    const next = decodeObject(r.type, patched as Record<string, unknown>);
    // A version written into the patch is a precondition; the current one means "whatever is there".
    const rv = next.metadata.resourceVersion;
    return {
      next,
      precondition: rv === current.obj.metadata.resourceVersion ? undefined : preconditionOf(next),
    };
  };
  const stored = await guardedUpdate(ctx, r, mutate, dryRun);
  sendObjectText(r.res, r.format, 200, JSON.stringify(stored.obj));
}

function applyJsonPatch(doc: KosObject, ops: fastJsonPatch.Operation[], subject: ErrorSubject): unknown {
  try {
    return fastJsonPatch.applyPatch(structuredClone(doc), ops, true, false).newDocument;
  } catch (e: unknown) {
    const message = e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e);
    if (e instanceof fastJsonPatch.JsonPatchError && e.name === 'TEST_OPERATION_FAILED') {
      throw apiErrors.conflict(subject, `the json patch test failed: ${message}`);
    }
    throw new ApiError(422, 'Invalid', `the json patch could not be applied: ${message}`);
  }
}

interface Preconditions {
  uid: string | undefined;
  resourceVersion: string | undefined;
}

async function readPreconditions(ctx: ApiContext, r: ResourceRequest): Promise<Preconditions> {
  const body = await readBody(r.req, ctx.limits.maxBodyBytes);
  if (body.length === 0) return { uid: undefined, resourceVersion: undefined };
  const parsed = deleteOptionsSchema.safeParse(
    objectOfBody(mediaType(r.req.headers['content-type']), body, 'the DeleteOptions body'),
  );
  if (!parsed.success)
    throw apiErrors.badRequest(`invalid DeleteOptions: ${parsed.error.issues[0]?.message ?? ''}`);
  const pre = parsed.data.preconditions;
  return { uid: pre?.uid ?? undefined, resourceVersion: pre?.resourceVersion ?? undefined };
}

/** What DELETE did: removed the object, or (graceful deletion) kept it, maybe marked. */
interface DeleteOutcome {
  kept: boolean;
  stored: StoredObject;
}

async function deleteOne(
  ctx: ApiContext,
  r: ResourceRequest,
  name: string,
  pre: Preconditions,
  dryRun: boolean,
): Promise<DeleteOutcome | undefined> {
  const subject = subjectOf(r.type, name);
  for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
    const current = await ctx.store.get(r.type, r.namespace ?? '', name);
    if (current === undefined) return undefined;
    if (pre.uid !== undefined && pre.uid !== current.obj.metadata.uid) {
      throw apiErrors.conflict(
        subject,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.obj.metadata.uid ?? ''}`,
      );
    }
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== String(current.rev)) {
      throw apiErrors.conflict(
        subject,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in meta: ${current.rev}`,
      );
    }
    const decision = strategyOf(r.type).onDelete?.(structuredClone(current.obj), formatTime(ctx.nowMs()));
    if (decision?.kind === 'conflict') throw apiErrors.conflict(subject, decision.why);
    if (decision?.kind === 'keep') return { kept: true, stored: current };
    if (decision?.kind === 'update') {
      if (dryRun) return { kept: true, stored: { obj: decision.next, rev: current.rev } };
      const marked = await ctx.store.update(r.type, decision.next, current.rev);
      if (marked.ok) return { kept: true, stored: marked.stored };
      continue;
    }
    if (dryRun) return { kept: false, stored: current };
    const outcome = await ctx.store.delete(r.type, current);
    if (outcome.ok) return { kept: false, stored: outcome.stored };
  }
  throw apiErrors.conflict(subject, `gave up after ${MAX_RETRIES} conflicting concurrent writes; try again`);
}

export async function handleDelete(ctx: ApiContext, r: ResourceRequest): Promise<void> {
  const dryRun = isDryRun(r);
  const name = r.name ?? '';
  const deleted = await deleteOne(ctx, r, name, await readPreconditions(ctx, r), dryRun);
  if (deleted === undefined) throw apiErrors.notFound(subjectOf(r.type, name));
  if (deleted.kept) {
    // Graceful deletion answers with the object as it now is, as kube-apiserver does.
    sendObjectText(r.res, r.format, 200, JSON.stringify(deleted.stored.obj));
    return;
  }
  const status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name, group: r.type.group, kind: r.type.resource, uid: deleted.stored.obj.metadata.uid ?? '' },
  };
  sendObjectText(r.res, r.format, 200, JSON.stringify(status));
}

export async function handleDeleteCollection(
  ctx: ApiContext,
  r: ResourceRequest,
  opts: ListOptions,
): Promise<void> {
  const dryRun = isDryRun(r);
  const pre = await readPreconditions(ctx, r);
  const list = await readList(ctx, r, {
    ...opts,
    limit: 0,
    continueToken: undefined,
    resourceVersion: undefined,
  });
  const deleted: KosObject[] = [];
  for (const entry of list.entries) {
    const one = await deleteOne(
      ctx,
      { ...r, namespace: isNamespaced(r.type) ? entry.namespace : undefined },
      entry.name,
      pre,
      dryRun,
    );
    if (one !== undefined) deleted.push(one.stored.obj);
  }
  const rev = deleted.reduce((m, o) => Math.max(m, Number(o.metadata.resourceVersion ?? 0)), list.rev);
  sendObjectText(
    r.res,
    r.format,
    200,
    JSON.stringify({
      kind: r.type.listKind,
      apiVersion: apiVersionOf(r.type),
      metadata: { resourceVersion: String(rev) },
      items: deleted,
    }),
  );
}
