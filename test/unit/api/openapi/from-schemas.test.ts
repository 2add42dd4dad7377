import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { CORE_RESOURCES } from '../../../../src/api/core/core-resources.js';
import {
  componentName,
  groupVersionDocument,
  openApiV3Documents,
  openApiV3Index,
} from '../../../../src/api/openapi/openapi-documents.js';
import { openApiSchemaOf, unknownFields } from '../../../../src/api/openapi/openapi-schema.js';
import { networkAttachments } from '../../../../src/api/resource-types.js';

describe('OpenAPI v3 schemas derived from the zod wire schemas', () => {
  const schema = openApiSchemaOf(
    z.object({
      name: z.string(),
      count: z.number().int().optional(),
      vni: z.number().int().min(1).max(2097151),
      tags: z.array(z.string()).nullable().optional(),
      labels: z.record(z.string(), z.string()).optional(),
      quantity: z.union([z.string(), z.number()]).optional(),
      open: z.looseObject({ known: z.boolean().optional() }).optional(),
      when: z.string().nullable().optional(),
    }),
  );

  it('speaks OpenAPI v3: nullable, preserve-unknown-fields, int-or-string, no safe-integer bounds', () => {
    assert.deepEqual(schema, {
      type: 'object',
      properties: {
        name: { type: 'string' },
        count: { type: 'integer' },
        vni: { type: 'integer', minimum: 1, maximum: 2097151 },
        tags: { type: 'array', items: { type: 'string' }, nullable: true },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        quantity: { 'x-kubernetes-int-or-string': true },
        open: {
          type: 'object',
          properties: { known: { type: 'boolean' } },
          'x-kubernetes-preserve-unknown-fields': true,
        },
        when: { type: 'string', nullable: true },
      },
      required: ['name', 'vni'],
    });
  });

  const cases: [string, unknown, string[]][] = [
    ['a known object', { name: 'x', labels: { a: 'b' }, tags: ['t'] }, []],
    ['an unknown top-level field', { name: 'x', bogus: 1 }, ['bogus']],
    ['anything inside an open object', { open: { known: true, other: { deep: 1 } } }, []],
    ['map values are not fields', { labels: { 'any.key/x': 'v' } }, []],
    ['two unknown fields, in order', { zz: 1, name: 'x', aa: 2 }, ['zz', 'aa']],
  ];
  for (const [what, value, expected] of cases) {
    it(`finds unknown fields: ${what}`, () => {
      assert.deepEqual(unknownFields(schema, value), expected);
    });
  }

  it('names nested unknown fields as strict decoding does (spec.x, list[0].y)', () => {
    const na = openApiSchemaOf(networkAttachments.schema);
    assert.deepEqual(
      unknownFields(na, {
        metadata: { name: 'a', ownerReferences: [{ name: 'o', typo: 1 }] },
        spec: { node: 'n', bogus: 1 },
      }),
      ['metadata.ownerReferences[0].typo', 'spec.bogus'],
    );
  });
});

describe('OpenAPI v3 documents', () => {
  it('names components as Kubernetes does, core, apps and reversed-domain groups', () => {
    assert.deepEqual(
      [
        componentName({ group: '', version: 'v1', kind: 'Pod' }),
        componentName({ group: 'apps', version: 'v1', kind: 'Deployment' }),
        componentName(networkAttachments),
      ],
      [
        'io.k8s.api.core.v1.Pod',
        'io.k8s.api.apps.v1.Deployment',
        'com.example.network.v1alpha1.NetworkAttachment',
      ],
    );
  });

  it('marks the kind and lists fieldValidation on its PATCH, where kubectl looks for it', () => {
    const doc = groupVersionDocument([networkAttachments]) as {
      paths: Record<
        string,
        { patch?: { parameters: { name: string; in: string }[]; 'x-kubernetes-group-version-kind': unknown } }
      >;
      components: { schemas: Record<string, { 'x-kubernetes-group-version-kind': unknown }> };
    };
    const gvk = { group: 'network.example.com', version: 'v1alpha1', kind: 'NetworkAttachment' };
    const patch =
      doc.paths['/apis/network.example.com/v1alpha1/namespaces/{namespace}/networkattachments/{name}']?.patch;
    assert.deepEqual(patch?.['x-kubernetes-group-version-kind'], gvk);
    assert.ok(patch.parameters.some((p) => p.name === 'fieldValidation' && p.in === 'query'));
    assert.deepEqual(
      doc.components.schemas['com.example.network.v1alpha1.NetworkAttachment']?.[
        'x-kubernetes-group-version-kind'
      ],
      [gvk],
    );
  });

  it('indexes one document per group-version, by a hash of its text', () => {
    const docs = openApiV3Documents(CORE_RESOURCES);
    assert.deepEqual([...docs.keys()], ['api/v1']);
    const index = JSON.parse(openApiV3Index(docs)) as {
      paths: Record<string, { serverRelativeURL: string }>;
    };
    assert.match(
      index.paths['api/v1']?.serverRelativeURL ?? '',
      /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{64}$/,
    );
  });
});
