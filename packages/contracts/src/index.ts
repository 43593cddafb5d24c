export * from './health.js';
export * from './jobs.js';
export * from './problem.js';
export * from './system.js';
export * from './auth.js';
export * from './tenancy.js';
export { openApiDocument, routes } from './openapi.js';
export * from './console.js';
