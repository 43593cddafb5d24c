import { problemDetails } from '@gatehouse/contracts';

export type ApiResult<T> = { ok: true; data: T } | { ok: false; status: number; code?: string; message: string };

/** Plain-language text for the status codes whose problem body says nothing a person can act on. */
const FALLBACK: Record<number, string> = {
  401: 'Your session has ended. Sign in again.',
  403: 'You are not allowed to do this in this tenant.',
  404: 'This was not found. It may have been deleted.',
  429: 'Too many attempts. Wait a moment and try again.',
};

/**
 * Turns an api answer that is not 2xx into one sentence for the person: the problem's `detail` (plus the fields a
 * validation error names), else a fallback by status. Never shows a stack trace or raw JSON.
 */
export function describeProblem(status: number, body: unknown): { code?: string; message: string } {
  const parsed = problemDetails.safeParse(body);
  if (!parsed.success) {
    return { message: FALLBACK[status] ?? `The Gatehouse API answered ${status}. Try again in a moment.` };
  }
  const problem = parsed.data;
  const fields = (problem.errors ?? []).map((error) =>
    error.path ? `${error.path}: ${error.message}` : error.message,
  );
  const base =
    problem.detail ??
    FALLBACK[status] ??
    (status >= 500 ? 'Something went wrong on the Gatehouse side. Try again in a moment.' : problem.title);
  return { code: problem.code, message: fields.length > 0 ? `${base} (${fields.join('; ')})` : base };
}

export const UNREACHABLE = 'The Gatehouse API is not reachable. Is it running?';
export const UNEXPECTED = 'The Gatehouse API answered in an unexpected format (are api and web the same version?).';
