import { describeProblem } from './problem.js';

const problem = (extra: Record<string, unknown>) => ({
  type: 'https://gatehouse.dev/problems/x',
  title: 'Conflict',
  status: 409,
  code: 'slug_taken',
  ...extra,
});

describe('describeProblem', () => {
  it('uses the api’s detail and keeps its code', () => {
    expect(describeProblem(409, problem({ detail: 'That address is taken.' }))).toEqual({
      code: 'slug_taken',
      message: 'That address is taken.',
    });
  });

  it('names the fields a validation error lists', () => {
    const body = problem({
      status: 400,
      code: 'validation_failed',
      detail: 'The request is invalid.',
      errors: [{ path: 'slug', message: 'use 1–63 lowercase letters' }],
    });
    expect(describeProblem(400, body).message).toBe('The request is invalid. (slug: use 1–63 lowercase letters)');
  });

  it('falls back to plain language when there is no problem body or detail', () => {
    expect(describeProblem(401, undefined).message).toBe('Your session has ended. Sign in again.');
    expect(describeProblem(500, problem({ status: 500, code: 'internal_error' })).message).toMatch(
      /on the Gatehouse side/,
    );
    expect(describeProblem(502, '<html>bad gateway</html>').message).toBe(
      'The Gatehouse API answered 502. Try again in a moment.',
    );
  });
});
