/**
 * kube-apiserver's write rules for Deployments and DaemonSets: create starts at generation 1
 * with an empty status; a main-resource write keeps status and bumps generation when spec
 * changes; a status write keeps spec; `spec.selector` is immutable (apps/v1).
 */
import type { KosObject } from '../meta.js';
import { sameJson } from '../omit-empty.js';
import type { ResourceType, WriteStrategy } from '../resource-type.js';
import type { FieldError } from '../status.js';
import { clearKosMetadata, keepDeletionTimestamp, keepFromPrevious } from '../core/core-strategy.js';

export const workloadStrategy: WriteStrategy = {
  allowUnconditionalUpdate: true,
  prepareForCreate: (_type, obj) => {
    clearKosMetadata(obj);
    obj.metadata.generation = 1;
    obj.status = {};
  },
  prepareForUpdate: (_type, next, prev, _now, subresource) => {
    clearKosMetadata(next);
    keepDeletionTimestamp(next, prev);
    const generation = prev.metadata.generation ?? 1;
    if (subresource === 'status') {
      keepFromPrevious(next, prev, 'spec');
      next.metadata.generation = generation;
      return;
    }
    keepFromPrevious(next, prev, 'status');
    next.metadata.generation = sameJson(next.spec, prev.spec) ? generation : generation + 1;
  },
  validateUpdate: (_type: ResourceType, next: KosObject, prev: KosObject): FieldError[] =>
    sameJson(next.spec?.selector ?? null, prev.spec?.selector ?? null)
      ? []
      : [
          {
            type: 'FieldValueInvalid',
            field: 'spec.selector',
            value: JSON.stringify(next.spec?.selector ?? null),
            message: 'field is immutable',
          },
        ],
};

/** Checks both kinds share: a selector that selects the template's labels. */
export function selectorErrors(obj: KosObject): FieldError[] {
  const selector = obj.spec?.selector as { matchLabels?: Record<string, string> } | undefined;
  if (selector === undefined || Object.keys(selector.matchLabels ?? {}).length === 0) {
    return [
      {
        type: 'FieldValueRequired',
        field: 'spec.selector',
        message: 'a selector with matchLabels is required',
      },
    ];
  }
  const template = obj.spec?.template as { metadata?: { labels?: Record<string, string> } } | undefined;
  const labels = template?.metadata?.labels ?? {};
  const matches = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return matches
    ? []
    : [
        {
          type: 'FieldValueInvalid',
          field: 'spec.template.metadata.labels',
          value: JSON.stringify(labels),
          message: '`selector` does not match template `labels`',
        },
      ];
}
