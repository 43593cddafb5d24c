// Lets Node run the harness straight from TypeScript (`pnpm run harness`): sources import each other as `.js`
// (NodeNext style), which exist only after a build, so a missing relative `.js` is retried as `.ts`.
import { register } from 'node:module';

const resolver = `
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    if (!/^\\.{1,2}\\//.test(specifier) || !specifier.endsWith('.js')) throw error;
    return next(specifier.slice(0, -3) + '.ts', context);
  }
}`;
register(`data:text/javascript,${encodeURIComponent(resolver)}`);
