// Reads .env (creating it from .env.example with generated secrets on first run) and merges the process
// environment over it. Only the orchestration scripts use this; apps receive a plain environment.
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
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

const secret = () => randomBytes(18).toString('base64url');

/** Fills every `KEY=` left empty in .env.example that has a generator here; others stay for the operator. */
function generated(template) {
  const postgres = secret();
  const values = {
    POSTGRES_PASSWORD: postgres,
    GATEHOUSE_APP_PASSWORD: secret(),
    GATEHOUSE_MAINTENANCE_PASSWORD: secret(),
    VAULT_KEYS: `v1:${randomBytes(32).toString('base64')}`,
    DEMO_ADMIN_PASSWORD: secret(),
    DEMO_PROVIDER_ADMIN_TOKEN: secret(),
    DEMO_PROVIDER_CLIENT_SECRET: secret(),
  };
  const server = '127.0.0.1:5432/gatehouse';
  values.MIGRATION_DATABASE_URL = `postgresql://postgres:${postgres}@${server}`;
  values.DATABASE_URL = `postgresql://gatehouse_app:${values.GATEHOUSE_APP_PASSWORD}@${server}`;
  values.MAINTENANCE_DATABASE_URL = `postgresql://gatehouse_maintenance:${values.GATEHOUSE_MAINTENANCE_PASSWORD}@${server}`;
  return template.replace(/^([A-Z_]+)=$/gm, (line, key) => (key in values ? `${key}=${values[key]}` : line));
}

/** Returns the effective environment: process.env over .env. Creates .env on first run. */
export function loadEnvironment(root, log = () => {}) {
  const envFile = join(root, '.env');
  if (!existsSync(envFile)) {
    writeFileSync(envFile, generated(readFileSync(join(root, '.env.example'), 'utf8')), { mode: 0o600 });
    log('created .env from .env.example with freshly generated secrets');
  }
  // Secrets added in later versions that depend on nothing else: generated into an existing .env too.
  const text = readFileSync(envFile, 'utf8');
  const added = ['DEMO_PROVIDER_ADMIN_TOKEN', 'DEMO_PROVIDER_CLIENT_SECRET'].filter(
    (key) => !new RegExp(`^${key}=`, 'm').test(text),
  );
  if (added.length > 0) {
    appendFileSync(
      envFile,
      `${text.endsWith('\n') ? '' : '\n'}${added.map((key) => `${key}=${secret()}`).join('\n')}\n`,
    );
    log(`added ${added.join(', ')} to .env`);
  }
  const fromFile = parseDotenv(readFileSync(envFile, 'utf8'));
  const env = { ...fromFile };
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return env;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Throws when a public URL on this machine names another port than its process listens on: the console's sign-in
 * (and the printed links) would go to the old port — e.g. WEB_PORT changed because 3000 is taken, and PUBLIC_WEB_URL
 * left at http://localhost:3000. A URL of another host (a reverse proxy in front) is the operator's to get right.
 */
export function checkLocalPorts(env) {
  const pairs = [
    ['PUBLIC_WEB_URL', 'http://localhost:3000', 'WEB_PORT', '3000'],
    ['PUBLIC_API_URL', 'http://localhost:4000', 'API_PORT', '4000'],
    ['API_INTERNAL_URL', 'http://127.0.0.1:4000', 'API_PORT', '4000'],
  ];
  for (const [urlName, urlDefault, portName, portDefault] of pairs) {
    let url;
    try {
      url = new URL(env[urlName] || urlDefault);
    } catch {
      continue; // the process's own configuration check names it
    }
    if (!LOOPBACK_HOSTS.has(url.hostname)) continue;
    const urlPort = url.port || (url.protocol === 'https:' ? '443' : '80');
    const port = env[portName] || portDefault;
    if (urlPort !== port)
      throw new Error(
        `${urlName} is ${url.origin} but ${portName} is ${port}: set both to the same port (in .env or the environment)`,
      );
  }
}
