/** The spec's JSON Schema for editors (what a user writes: the input side, defaults included). */
import { z } from 'zod';
import { experimentSpecSchema } from './spec-schema.js';

export const SPEC_SCHEMA_FILE = 'docs/experiment-spec.schema.json';

export function specJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(experimentSpecSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://kos-test.invalid/experiment-spec.schema.json',
    title: 'kos-test experiment spec',
  };
}

export function specJsonSchemaText(): string {
  return `${JSON.stringify(specJsonSchema(), null, 2)}\n`;
}
