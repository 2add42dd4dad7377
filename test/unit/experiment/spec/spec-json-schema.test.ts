import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  SPEC_SCHEMA_FILE,
  specJsonSchema,
  specJsonSchemaText,
} from '../../../../src/experiment/spec/spec-json-schema.js';

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));

describe('the experiment spec JSON Schema', () => {
  it('is committed up to date (regenerate: node bin/kos-test.js experiment schema > docs/experiment-spec.schema.json)', async () => {
    const committed = await readFile(`${repoRoot}${SPEC_SCHEMA_FILE}`, 'utf8');
    assert.equal(committed, specJsonSchemaText());
  });

  it('documents the defaults and lists every factor', () => {
    const s = specJsonSchema() as {
      properties: Record<string, { properties?: Record<string, unknown>; default?: unknown }>;
    };
    assert.deepEqual(Object.keys(s.properties['factors']?.properties ?? {}), [
      'OPS',
      'NCA',
      'POP',
      'NNA',
      'NKA',
      'faults',
    ]);
    assert.equal(s.properties['replicates']?.default, 1);
    assert.equal(s.properties['order']?.default, 'listed');
  });
});
