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

/**
 * Whether the database's error, anywhere along `error`'s causes (the driver adapter and Prisma wrap it), has a
 * SQLSTATE `code` accepts, or a message `message` matches.
 */
export function isDatabaseError(error: unknown, code: (sqlState: string) => boolean, message?: RegExp): boolean {
  for (let cause = error, depth = 0; cause && typeof cause === 'object' && depth < 5; depth++) {
    const found = cause as { code?: unknown; originalCode?: unknown; message?: unknown };
    if ([found.code, found.originalCode].some((value) => typeof value === 'string' && code(value))) return true;
    if (message && typeof found.message === 'string' && message.test(found.message)) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}
