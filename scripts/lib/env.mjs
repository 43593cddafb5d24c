// Reads .env (creating it from .env.example with generated secrets on first run) and merges the process
// environment over it. Only the orchestration scripts use this; apps receive a plain environment.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function parseDotenv(text) {
  const values = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) {
      value = value.slice(1, -1);
    }
    values[key] = value;
  }
  return values;
}

function generated(template) {
  const password = randomBytes(18).toString('base64url');
  return template
    .replace(/^POSTGRES_PASSWORD=$/m, `POSTGRES_PASSWORD=${password}`)
    .replace(/^DATABASE_URL=$/m, `DATABASE_URL=postgresql://postgres:${password}@127.0.0.1:5432/gatehouse`);
}

/** Returns the effective environment: process.env over .env. Creates .env on first run. */
export function loadEnvironment(root, log = () => {}) {
  const envFile = join(root, '.env');
  if (!existsSync(envFile)) {
    writeFileSync(envFile, generated(readFileSync(join(root, '.env.example'), 'utf8')), { mode: 0o600 });
    log('created .env from .env.example with freshly generated secrets');
  }
  const fromFile = parseDotenv(readFileSync(envFile, 'utf8'));
  const env = { ...fromFile };
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return env;
}
