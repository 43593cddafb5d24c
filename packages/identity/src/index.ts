export { AccountService, type AccountServiceOptions, type SignInAttempt } from './accounts.js';
export { IdentityError, type IdentityErrorCode } from './errors.js';
export {
  checkPasswordPolicy,
  hashPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  verifyPassword,
} from './passwords.js';
export { csrfTokenMatches, SessionStore, type Session, type SessionOptions } from './sessions.js';
export { ConsentService, type ConsentOwner, type ConsentRequest } from './consents.js';
export { clientAddressKey, RequestBudget } from './request-budget.js';
