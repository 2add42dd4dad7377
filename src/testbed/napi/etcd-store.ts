/**
 * Objects in etcd, Kubernetes-style: one key per object under
 * `/registry/<group>/<resource>/<namespace>/<name>`, the value the object's JSON without its
 * resourceVersion, and resourceVersion = the key's etcd mod_revision. Every write is a
 * transaction guarded by the revision it was based on, so no update is ever lost and several
 * apiservers on one etcd agree on versions.
 */
import type { KosObject, ObjectMeta } from '../../api/meta.js';
import type { EtcdKv, KeyValue } from '../etcd/etcd-kv.js';
import { isNamespaced, type ResourceType } from '../../api/resource-type.js';

export interface StoredObject {
  obj: KosObject;
  /** etcd mod_revision, i.e. the object's resourceVersion. */
  rev: number;
}

export interface RangePage {
  items: StoredObject[];
  /** The revision the page was read at. */
  revision: number;
  /** The key after the last returned one, when more keys remain. */
  nextKey: string | undefined;
  /** Keys left after this page (etcd's count), for remainingItemCount. */
  remaining: number;
}

export type WriteOutcome =
  { ok: true; stored: StoredObject } | { ok: false; current: StoredObject | undefined };

export class CompactedError extends Error {
  constructor(readonly revision: number) {
    super(`revision ${revision} has been compacted`);
  }
}

/** A read at a revision etcd has not reached. */
export class FutureRevisionError extends Error {
  constructor(readonly revision: number) {
    super(`revision ${revision} is a future revision`);
  }
}

/** An object over etcd's request size limit (--max-request-bytes, 1.5 MiB by default). */
export class ObjectTooLargeError extends Error {}

/** etcd's (or its gRPC layer's) refusal of a request too large, as ObjectTooLargeError. */
function tooLargeOr(e: unknown): unknown {
  return e instanceof Error && /request is too large|larger than max/i.test(e.message)
    ? new ObjectTooLargeError(e.message, { cause: e })
    : e;
}

export function decodeKv(kv: KeyValue): StoredObject {
  return decodeStored(kv.value, kv.modRevision);
}

function decodeStored(value: Buffer, rev: number): StoredObject {
  const obj = JSON.parse(value.toString('utf8')) as KosObject;
  obj.metadata.resourceVersion = String(rev);
  return { obj, rev };
}

export function encodeValue(obj: KosObject): string {
  return JSON.stringify({ ...obj, metadata: withoutVersion(obj.metadata) });
}

export class EtcdStore {
  constructor(
    private readonly kv: EtcdKv,
    private readonly root = '/registry/',
  ) {}

  /**
   * Key prefix of a resource, or of one namespace of it. Core-group resources sit right under the
   * root (`/registry/namespaces/`), as in Kubernetes; cluster-scoped ones have no namespace level.
   */
  prefix(type: ResourceType, namespace?: string): string {
    const base =
      type.group === '' ? `${this.root}${type.resource}/` : `${this.root}${type.group}/${type.resource}/`;
    return namespace === undefined || !isNamespaced(type) ? base : `${base}${namespace}/`;
  }

  /** `namespace` is ignored for cluster-scoped resources. */
  key(type: ResourceType, namespace: string, name: string): string {
    return `${this.prefix(type, namespace)}${name}`;
  }

  async get(type: ResourceType, namespace: string, name: string): Promise<StoredObject | undefined> {
    const res = await this.kv.range({ key: Buffer.from(this.key(type, namespace, name)) });
    const kv = res.kvs[0];
    return kv === undefined ? undefined : decodeKv(kv);
  }

  async create(type: ResourceType, obj: KosObject): Promise<WriteOutcome> {
    const key = this.key(type, obj.metadata.namespace ?? '', obj.metadata.name ?? '');
    const res = await this.kv
      .txn({
        key: Buffer.from(key),
        target: 'create',
        revision: 0,
        then: { put: Buffer.from(encodeValue(obj)) },
        elseGet: false,
      })
      .catch((e: unknown) => {
        throw tooLargeOr(e);
      });
    if (!res.succeeded) return { ok: false, current: undefined };
    return { ok: true, stored: withRev(obj, res.revision) };
  }

  /** Writes `obj` only if the stored object is still at `basedOn`; else returns what is there. */
  async update(type: ResourceType, obj: KosObject, basedOn: number): Promise<WriteOutcome> {
    const key = this.key(type, obj.metadata.namespace ?? '', obj.metadata.name ?? '');
    const res = await this.kv
      .txn({
        key: Buffer.from(key),
        target: 'mod',
        revision: basedOn,
        then: { put: Buffer.from(encodeValue(obj)) },
        elseGet: true,
      })
      .catch((e: unknown) => {
        throw tooLargeOr(e);
      });
    if (res.succeeded) return { ok: true, stored: withRev(obj, res.revision) };
    return { ok: false, current: res.current === undefined ? undefined : decodeKv(res.current) };
  }

  /** Deletes only if still at `basedOn`; the deleted object carries the deletion revision. */
  async delete(type: ResourceType, current: StoredObject): Promise<WriteOutcome> {
    const key = this.key(type, current.obj.metadata.namespace ?? '', current.obj.metadata.name ?? '');
    const res = await this.kv.txn({
      key: Buffer.from(key),
      target: 'mod',
      revision: current.rev,
      then: { delete: true },
      elseGet: true,
    });
    if (res.succeeded) return { ok: true, stored: withRev(current.obj, res.revision) };
    return { ok: false, current: res.current === undefined ? undefined : decodeKv(res.current) };
  }

  /**
   * One page of keys in [fromKey, end of prefix), at `revision` (0 = now). A compacted revision
   * throws CompactedError so callers can answer 410, a future one FutureRevisionError (504).
   */
  async range(opts: {
    prefix: string;
    fromKey?: string;
    limit?: number;
    revision?: number;
  }): Promise<RangePage> {
    const end = prefixEnd(opts.prefix);
    try {
      const res = await this.kv.range({
        key: Buffer.from(opts.fromKey ?? opts.prefix),
        rangeEnd: end,
        limit: opts.limit ?? 0,
        revision: opts.revision ?? 0,
      });
      const items = res.kvs.map(decodeKv);
      const last = res.kvs[res.kvs.length - 1];
      const nextKey = res.more && last !== undefined ? `${last.key.toString('utf8')}\x00` : undefined;
      return {
        items,
        revision: res.revision,
        nextKey,
        remaining: Math.max(0, res.count - items.length),
      };
    } catch (e: unknown) {
      if (opts.revision !== undefined && opts.revision > 0 && isCompactedError(e)) {
        throw new CompactedError(opts.revision);
      }
      if (opts.revision !== undefined && opts.revision > 0 && isFutureRevisionError(e)) {
        throw new FutureRevisionError(opts.revision);
      }
      throw e;
    }
  }

  /** The store's current revision (a cheap range on a key that does not exist). */
  async currentRevision(): Promise<number> {
    const res = await this.kv.range({ key: Buffer.from(`${this.root}\x00`) });
    return res.revision;
  }

  /** Forgets history before `revision` (what kube-apiserver does every few minutes). */
  async compact(revision: number): Promise<void> {
    await this.kv.compact(revision);
  }

  close(): void {
    this.kv.close();
  }
}

/** Metadata as stored: the resourceVersion is the key's revision, never part of the value. */
export function withoutVersion(metadata: ObjectMeta): ObjectMeta {
  const copy = { ...metadata };
  delete copy.resourceVersion;
  return copy;
}

function withRev(obj: KosObject, rev: number): StoredObject {
  obj.metadata.resourceVersion = String(rev);
  return { obj, rev };
}

/** The range end that covers every key starting with `prefix`. */
export function prefixEnd(prefix: string): Buffer {
  const bytes = Buffer.from(prefix);
  for (let i = bytes.length - 1; i >= 0; i--) {
    const b = bytes[i] ?? 0;
    if (b < 0xff) {
      bytes[i] = b + 1;
      return bytes.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

function isFutureRevisionError(e: unknown): boolean {
  return e instanceof Error && /future revision/i.test(e.message);
}

export function isCompactedError(e: unknown): boolean {
  return e instanceof Error && /compacted/i.test(e.message);
}
