// Runs after `prisma generate`. The prisma-client generator's `DbNull`/`JsonNull`/`AnyNull` constants have an
// inferred anonymous-class type that TypeScript cannot write into a .d.ts (TS4094); naming the type fixes that.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'generated', 'prisma', 'internal');
const pattern = /^export const (DbNull|JsonNull|AnyNull) = (runtime\.objectEnumValues\.instances\.\w+)$/gm;
// Objects made only of those constants (JsonNullValueInput, JsonNullValueFilter, …) need a named type too.
const objects = /^export const (\w+) = \{\n((?: {2}\w+: (?:DbNull|JsonNull|AnyNull),?\n)+)\} as const$/gm;
function annotateObject(_match, name, body) {
  const members = body
    .trim()
    .split('\n')
    .map((line) => line.trim().replace(/,$/, ''))
    .map((member) => {
      const [key, value] = member.split(':').map((part) => part.trim());
      return `readonly ${key}: typeof ${value}`;
    });
  return `export const ${name}: { ${members.join('; ')} } = {\n${body}} as const`;
}
for (const file of ['prismaNamespace.ts', 'prismaNamespaceBrowser.ts']) {
  const path = join(dir, file);
  const source = readFileSync(path, 'utf8');
  const patched = source.replace(pattern, 'export const $1: typeof $2 = $2').replace(objects, annotateObject);
  if (patched === source && !source.includes(': typeof runtime.objectEnumValues')) {
    throw new Error(`patch-generated: nothing to patch in ${file}; has the Prisma generator changed?`);
  }
  writeFileSync(path, patched);
}
