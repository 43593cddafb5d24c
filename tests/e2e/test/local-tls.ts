import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalCa {
  /** PEM file for NODE_EXTRA_CA_CERTS of the process that must trust the server. */
  caFile: string;
  key: Buffer;
  cert: Buffer;
}

/** A throwaway CA and a certificate for localhost/127.0.0.1 signed by it (openssl, no network). */
export function makeLocalCa(): LocalCa {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-ca-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', 'ca.key', '-subj', '/CN=Gatehouse test CA', '-days', '2', '-out', 'ca.pem');
  run('req', ...ec, '-keyout', 'server.key', '-subj', '/CN=localhost', '-out', 'server.csr');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'san.ext',
    '-out',
    'server.pem',
  );
  return {
    caFile: join(dir, 'ca.pem'),
    key: readFileSync(join(dir, 'server.key')),
    cert: readFileSync(join(dir, 'server.pem')),
  };
}

/** Serves JSON documents over https on 127.0.0.1 (e.g. Client ID Metadata Documents); counts requests per path. */
export async function serveDocuments(
  ca: LocalCa,
  documents: (origin: string) => Record<string, unknown>,
  /** The documents' `Cache-Control: max-age` (an authorization server keeps them at least 30 s). */
  maxAgeSeconds = 60,
): Promise<{ origin: string; hits: Map<string, number>; server: Server }> {
  const hits = new Map<string, number>();
  let origin = '';
  const server = createServer({ key: ca.key, cert: ca.cert }, (req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const document = documents(origin)[path];
    if (document === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': `max-age=${maxAgeSeconds}` });
    res.end(JSON.stringify(document));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://localhost:${(server.address() as AddressInfo).port}`;
  return { origin, hits, server };
}
