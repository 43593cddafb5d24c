import type { ApiKeyProviderInput } from '../provider.schema.js';

// Services whose tools authenticate with a key the user pastes in, not OAuth.

export const openai = {
  kind: 'api_key',
  id: 'openai',
  name: 'OpenAI',
  docsUrl: 'https://platform.openai.com/docs/api-reference/authentication',
  baseUrl: 'https://api.openai.com/v1',
  fields: [{ name: 'apiKey', label: 'API key', secret: true, pattern: '^sk-[A-Za-z0-9_-]{20,}$' }],
  placement: { type: 'header', header: 'Authorization', scheme: 'Bearer', field: 'apiKey' },
} satisfies ApiKeyProviderInput;

export const anthropic = {
  kind: 'api_key',
  id: 'anthropic',
  name: 'Anthropic',
  docsUrl: 'https://docs.anthropic.com/en/api/overview',
  baseUrl: 'https://api.anthropic.com/v1',
  fields: [{ name: 'apiKey', label: 'API key', secret: true, pattern: '^sk-ant-[A-Za-z0-9_-]{20,}$' }],
  placement: { type: 'header', header: 'x-api-key', field: 'apiKey' },
  headers: { 'anthropic-version': '2023-06-01' },
} satisfies ApiKeyProviderInput;

export const stripe = {
  kind: 'api_key',
  id: 'stripe',
  name: 'Stripe',
  docsUrl: 'https://docs.stripe.com/api/authentication',
  baseUrl: 'https://api.stripe.com/v1',
  // Secret (sk_) or restricted (rk_) keys, test or live. Stripe documents Basic auth with the key as username and
  // Bearer as the equivalent alternative.
  fields: [{ name: 'apiKey', label: 'Secret key', secret: true, pattern: '^(sk|rk)_(test|live)_[A-Za-z0-9]{10,}$' }],
  placement: { type: 'header', header: 'Authorization', scheme: 'Bearer', field: 'apiKey' },
} satisfies ApiKeyProviderInput;

export const sendgrid = {
  kind: 'api_key',
  id: 'sendgrid',
  name: 'SendGrid',
  docsUrl: 'https://www.twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/authentication',
  baseUrl: 'https://api.sendgrid.com/v3',
  fields: [{ name: 'apiKey', label: 'API key', secret: true, pattern: '^SG\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' }],
  placement: { type: 'header', header: 'Authorization', scheme: 'Bearer', field: 'apiKey' },
} satisfies ApiKeyProviderInput;

export const twilio = {
  kind: 'api_key',
  id: 'twilio',
  name: 'Twilio',
  docsUrl: 'https://www.twilio.com/docs/usage/requests-to-twilio',
  baseUrl: 'https://api.twilio.com/2010-04-01',
  // HTTP Basic with an API key SID and secret (Twilio's recommendation for production); the Account SID names
  // the account in request paths (/Accounts/{AccountSid}/…).
  fields: [
    { name: 'accountSid', label: 'Account SID', secret: false, pattern: '^AC[0-9a-f]{32}$' },
    { name: 'apiKeySid', label: 'API key SID', secret: false, pattern: '^SK[0-9a-f]{32}$' },
    { name: 'apiKeySecret', label: 'API key secret', secret: true },
  ],
  placement: { type: 'basic', usernameField: 'apiKeySid', passwordField: 'apiKeySecret' },
} satisfies ApiKeyProviderInput;

export const postmark = {
  kind: 'api_key',
  id: 'postmark',
  name: 'Postmark',
  docsUrl: 'https://postmarkapp.com/developer/api/overview',
  baseUrl: 'https://api.postmarkapp.com',
  // Server-level token; Postmark ignores `Authorization: Bearer`.
  fields: [{ name: 'serverToken', label: 'Server API token', secret: true }],
  placement: { type: 'header', header: 'X-Postmark-Server-Token', field: 'serverToken' },
} satisfies ApiKeyProviderInput;
