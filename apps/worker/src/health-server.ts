import { createServer, type Server } from 'node:http';
import type { LivenessResponse, ReadinessResponse } from '@gatehouse/contracts';

/** A minimal HTTP server for the worker's /healthz, /readyz and /metrics (the worker serves no other HTTP). */
export function createHealthServer(
  live: () => LivenessResponse,
  ready: () => Promise<ReadinessResponse>,
  metrics?: (authorization: string | undefined) => Promise<{ status: number; contentType: string; body: string }>,
): Server {
  return createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return send(405, { status: 405, code: 'method_not_allowed' });
    if (path === '/healthz') return send(200, live());
    if (path === '/metrics' && metrics) {
      metrics(req.headers.authorization).then(
        ({ status, contentType, body }) => {
          res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
          res.end(body);
        },
        () => send(500, { status: 500, code: 'metrics_failed' }),
      );
      return;
    }
    if (path === '/readyz') {
      ready().then(
        (report) => send(report.status === 'ready' ? 200 : 503, report),
        () => send(503, { status: 'not_ready' }),
      );
      return;
    }
    send(404, { status: 404, code: 'not_found' });
  });
}
