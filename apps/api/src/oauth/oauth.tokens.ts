export const AUTHORIZATION_SERVER = Symbol('AUTHORIZATION_SERVER');
export const AUTHORIZATION_KEYS = Symbol('AUTHORIZATION_KEYS');
/** Per-address budgets: client registrations (per hour) and authorization requests (per minute). */
export const REGISTRATION_BUDGET = Symbol('REGISTRATION_BUDGET');
export const AUTHORIZATION_BUDGET = Symbol('AUTHORIZATION_BUDGET');
