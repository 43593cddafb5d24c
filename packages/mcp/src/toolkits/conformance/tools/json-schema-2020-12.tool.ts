import * as z from 'zod';
import { defineTool } from '../../../tool.definition.js';

// A local registry, not `.meta({ id })`: that would register `address` in zod's process-wide registry.
const definitions = z.registry<{ id: string }>();
const address = z.object({ street: z.string().optional(), city: z.string().optional() });
definitions.add(address, { id: 'address' });

/** SEP-1613: the advertised schema keeps `$schema`, `$defs` and `additionalProperties` as written. */
export const jsonSchema202012Tool = defineTool({
  name: 'json_schema_2020_12_tool',
  description: 'Tool with JSON Schema 2020-12 features ($schema, $defs, $ref, additionalProperties)',
  input: z.strictObject({ name: z.string().optional(), address: address.optional() }),
  definitions,
  annotations: { readOnlyHint: true },
  handler: async (input) => ({
    content: [{ type: 'text', text: `JSON Schema 2020-12 tool called with: ${JSON.stringify(input)}` }],
  }),
});
