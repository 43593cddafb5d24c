// Runs after `prisma generate`. The prisma-client generator's `DbNull`/`JsonNull`/`AnyNull` constants have an
// inferred anonymous-class type that TypeScript cannot write into a .d.ts (TS4094); naming the type fixes that.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'generated', 'prisma', 'internal');
const pattern = /^export const (DbNull|JsonNull|AnyNull) = (runtime\.objectEnumValues\.instances\.\w+)$/gm;
for (const file of ['prismaNamespace.ts', 'prismaNamespaceBrowser.ts']) {
  const path = join(dir, file);
  const source = readFileSync(path, 'utf8');
  const patched = source.replace(pattern, 'export const $1: typeof $2 = $2');
  if (patched === source && !source.includes(': typeof runtime.objectEnumValues')) {
    throw new Error(`patch-generated: nothing to patch in ${file}; has the Prisma generator changed?`);
  }
  writeFileSync(path, patched);
}
