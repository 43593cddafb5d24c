import type { JsonObject, JsonValue } from './event.js';

const SECRET_KEY =
  /passw(or)?d|passphrase|passcode|passkey|secret|token|authorization|cookie|api[-_]?key|credential|private[-_]?key|session/i;
/**
 * `pass` as a word of the key (`pass`, `pass_hash`, `userPass`, `USER_PASS`) or its end (`dbpass`, `rootpass`, and so
 * `compass` too), not the start of another word (`passed`, `passage`); `bypass` is the one word ending in it kept.
 */
const PASS_WORD = /(?:^|[^a-zA-Z])(?:pass|Pass|PASS)(?![a-z])|(?<=[a-z])(?:Pass|PASS)(?![a-z])/;
const PASS_END = /(?<!^by)pass$/i;

/**
 * Whether `value` under `key` is withheld. A flag or an absent value holds no secret (`secretChanged: true`, `refreshToken:
 * false` say what happened, not what the secret is): those are kept.
 */
function secretLooking(key: string, value: unknown): boolean {
  if (typeof value === 'boolean' || value === null) return false;
  return SECRET_KEY.test(key) || PASS_WORD.test(key) || PASS_END.test(key);
}
const MAX_DEPTH = 6;
const MAX_STRING = 2_000;
const MAX_ENTRIES = 100;

/**
 * Text PostgreSQL stores as given: no NUL (refused by text and jsonb), no lone UTF-16 surrogate (refused by jsonb,
 * and turned into U+FFFD on the way into a text column — the record would no longer match its hash). Cut to `max`
 * characters without splitting a pair. Clients choose much of what is recorded (method and tool names), so one
 * person's odd string must not fail the records written with it.
 */
export function storableText(value: string, max: number, marked = true): string {
  const text = value.replaceAll('\u0000', '').toWellFormed();
  if (text.length <= max) return text;
  // A pair cut in two leaves its first half: dropped, not replaced, so the cut stays within `max`.
  const cut = text.slice(0, max).replace(/[\uD800-\uDBFF]$/, '');
  return marked ? `${cut}…` : cut;
}

function clean(value: unknown, depth: number): JsonValue {
  if (value === null || value === undefined) return null;
  // Long values are cut so one event stays small.
  if (typeof value === 'string') return storableText(value, MAX_STRING);
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (Array.isArray(value)) return value.slice(0, MAX_ENTRIES).map((item) => clean(item, depth + 1));
  if (typeof value === 'object') return redactMetadata(value as Record<string, unknown>, depth + 1);
  // Functions and symbols have no JSON form; record only what they were.
  return `[${typeof value}]`;
}

/**
 * Returns a JSON-safe copy of `metadata` in which every value under a secret-looking key (password, token,
 * secret, authorization, cookie, api key, credential, session…) is replaced by "[redacted]", flags excepted.
 */
export function redactMetadata(metadata: Record<string, unknown>, depth = 0): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(metadata).slice(0, MAX_ENTRIES)) {
    if (value === undefined) continue;
    out[storableText(key, 200)] = secretLooking(key, value) ? '[redacted]' : clean(value, depth);
  }
  return out;
}
