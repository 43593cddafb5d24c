import { randomUUID } from 'node:crypto';
import type { ConnectionService, OutboundHttp } from '@gatehouse/connections';
import type { ToolCallPayload } from '@gatehouse/contracts';
import { createLogger } from '@gatehouse/telemetry';
import { findProviderTool } from '@gatehouse/tools';
import { runToolCall, type ToolCallDependencies } from '../src/tools/tool-call.job.js';
import type { ToolCancellations } from '../src/tools/tool-cancellations.js';

// A write's cancellation mark that cannot be read: the call is not run (nothing reaches the provider).
function dependencies(markedBefore: () => Promise<boolean>) {
  const sent: unknown[] = [];
  const deps: ToolCallDependencies = {
    connections: {
      accessToken: async () => ({
        ok: true,
        accessToken: 'provider-token',
        connectionId: randomUUID(),
        scopes: ['notes:read', 'notes:write'],
        expiresAt: null,
        settings: { baseUrl: 'http://127.0.0.1:9' },
      }),
    } as unknown as ConnectionService,
    http: {
      send: async (request: unknown) => {
        sent.push(request);
        return {
          status: 201,
          headers: {},
          json: { id: 'n1', title: 't', body: '', createdAt: new Date(0).toISOString() },
        };
      },
    } as unknown as OutboundHttp,
    logger: createLogger({ service: 'test', level: 'silent' }),
    cancellations: {
      register: () => ({ signal: new AbortController().signal, release: () => undefined }),
      markedBefore,
    } as unknown as ToolCancellations,
  };
  return { deps, sent };
}

const call = (): ToolCallPayload => ({
  tenantId: randomUUID(),
  tenantSlug: 'acme',
  userId: randomUUID(),
  clientId: 'client',
  serverId: randomUUID(),
  tool: 'demo.create_note',
  version: findProviderTool('demo.create_note')!.tool.version,
  arguments: { title: 't' },
  replyTo: 'nowhere',
  callId: randomUUID(),
});

const context = { jobId: randomUUID(), attempt: 1, maxAttempts: 1, progress: async () => undefined };

test('a write whose cancellation mark cannot be read is not run', async () => {
  const { deps, sent } = dependencies(() => Promise.reject(new Error('Redis is not answering')));
  const result = await runToolCall(deps, call(), context);
  expect(result).toMatchObject({ kind: 'error', code: 'unavailable' });
  expect(sent).toHaveLength(0);
});

test('a write whose mark reads "not cancelled" runs once', async () => {
  const { deps, sent } = dependencies(() => Promise.resolve(false));
  const result = await runToolCall(deps, call(), context);
  expect(result).toMatchObject({ kind: 'ok' });
  expect(sent).toHaveLength(1);
});
