/** Errors the data layer raises with a stable code; transports translate them (STYLE §7). */
export type DataErrorCode = 'conflict' | 'not_found';

export class DataError extends Error {
  readonly code: DataErrorCode;

  constructor(code: DataErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DataError';
    this.code = code;
  }
}

/** Prisma reports a unique-constraint violation as P2002; everything else is rethrown untouched. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}
