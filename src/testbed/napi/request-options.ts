/** Query parameters of list and watch, parsed and checked once (bad values are 400s). */
import { parseFieldSelector, type FieldSelector } from '../../api/field-selector.js';
import { parseLabelSelector, type LabelSelector } from '../../api/label-selector.js';
import type { ResourceType } from '../../api/resource-type.js';
import { SelectorError } from '../../api/selector-error.js';
import { apiErrors } from '../../api/status.js';

export interface ListOptions {
  labels: LabelSelector;
  fields: FieldSelector;
  limit: number;
  continueToken: string | undefined;
  /** undefined = not given; otherwise the parsed revision ("0" = any). */
  resourceVersion: number | undefined;
  resourceVersionMatch: 'NotOlderThan' | 'Exact' | undefined;
  watch: boolean;
  allowWatchBookmarks: boolean;
  timeoutSeconds: number | undefined;
  sendInitialEvents: boolean | undefined;
}

/** A non-negative decimal integer a number holds exactly (etcd's int64 revisions never get near 2^53). */
function isWholeNumber(text: string): boolean {
  return /^\d{1,16}$/.test(text) && Number(text) <= Number.MAX_SAFE_INTEGER;
}

function wholeNumber(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  if (!isWholeNumber(text))
    throw apiErrors.badRequest(
      `invalid ${name} "${text.slice(0, 40)}": must be a non-negative integer up to ${Number.MAX_SAFE_INTEGER}`,
    );
  return Number(text);
}

function flag(query: URLSearchParams, name: string): boolean | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw apiErrors.badRequest(`invalid ${name} "${text}": must be true or false`);
}

/** A resourceVersion from a query or an object; anything but a revision number is a 400. */
export function parseResourceVersion(text: string | null | undefined): number | undefined {
  if (text === null || text === undefined || text === '') return undefined;
  if (!isWholeNumber(text)) {
    throw apiErrors.badRequest(
      `invalid resource version "${text.slice(0, 40)}": must be a non-negative decimal integer up to ${Number.MAX_SAFE_INTEGER}`,
    );
  }
  return Number(text);
}

export function parseListOptions(type: ResourceType, query: URLSearchParams): ListOptions {
  let labels: LabelSelector;
  let fields: FieldSelector;
  try {
    labels = parseLabelSelector(query.get('labelSelector') ?? undefined);
    fields = parseFieldSelector(query.get('fieldSelector') ?? undefined);
  } catch (e: unknown) {
    if (e instanceof SelectorError) throw apiErrors.badRequest(e.message);
    throw e;
  }
  const known = ['metadata.name', 'metadata.namespace', ...type.selectableFields];
  for (const r of fields.requirements) {
    if (!known.includes(r.field)) {
      throw apiErrors.badRequest(
        `field label not supported: ${r.field} (supported for ${type.resource}: ${known.join(', ')})`,
      );
    }
  }
  const match = query.get('resourceVersionMatch');
  if (match !== null && match !== '' && match !== 'NotOlderThan' && match !== 'Exact') {
    throw apiErrors.badRequest(`invalid resourceVersionMatch "${match}": must be NotOlderThan or Exact`);
  }
  const resourceVersion = parseResourceVersion(query.get('resourceVersion'));
  if (match === 'Exact' && (resourceVersion === undefined || resourceVersion === 0)) {
    throw apiErrors.badRequest('resourceVersionMatch "Exact" needs a non-zero resourceVersion');
  }
  const continueToken = query.get('continue') ?? undefined;
  if (continueToken !== undefined && continueToken !== '' && resourceVersion !== undefined) {
    throw apiErrors.badRequest('specifying resource version is not allowed when using continue');
  }
  return {
    labels,
    fields,
    limit: wholeNumber(query, 'limit') ?? 0,
    continueToken: continueToken === '' ? undefined : continueToken,
    resourceVersion,
    resourceVersionMatch: match === 'NotOlderThan' || match === 'Exact' ? match : undefined,
    watch: flag(query, 'watch') ?? false,
    allowWatchBookmarks: flag(query, 'allowWatchBookmarks') ?? false,
    timeoutSeconds: wholeNumber(query, 'timeoutSeconds'),
    sendInitialEvents: flag(query, 'sendInitialEvents'),
  };
}
