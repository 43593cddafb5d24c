import { Module, RequestMethod, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { ApiConfig } from '@gatehouse/config';
import { loggerOptions, redactRequest, redactResponse } from '@gatehouse/telemetry';
import type { KeyEncryptionKeyProvider } from '@gatehouse/vault';
import { LoggerModule } from 'nestjs-pino';
import { ProblemDetailsFilter } from './common/problem-details.filter.js';
import { issueRequestId } from './common/request-id.js';
import { ConnectionsModule } from './connections/connections.module.js';
import { ConsoleModule } from './console/console.module.js';
import { HealthModule } from './health/health.module.js';
import { IdentityModule } from './identity/identity.module.js';
import { InfrastructureModule } from './infrastructure/infrastructure.module.js';
import { McpModule } from './mcp/mcp.module.js';
import { MCP_ROUTE } from './mcp/mcp-request-log.js';
import { OAuthModule } from './oauth/oauth.module.js';
import { RegistryModule } from './registry/registry.module.js';
import { SystemModule } from './system/system.module.js';
import { TenancyModule } from './tenancy/tenancy.module.js';

@Module({})
export class AppModule {
  static register(config: ApiConfig, keyring: KeyEncryptionKeyProvider): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot({
          // The MCP endpoint logs its requests itself, more cheaply (mcp/mcp-request-log.ts).
          exclude: [{ path: MCP_ROUTE, method: RequestMethod.ALL }],
          pinoHttp: {
            ...loggerOptions({ service: 'api', level: config.LOG_LEVEL }),
            genReqId: issueRequestId,
            customAttributeKeys: { reqId: 'requestId' },
            // OAuth callbacks carry codes and state in the query string, and OAuth redirects in `Location`.
            serializers: { req: redactRequest, res: redactResponse },
            // Probes would drown the log; everything else is logged once per request.
            autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
            // So would Prometheus's scrapes: only a refused one (a wrong token) is worth a line.
            customLogLevel: (req, res) => (req.url === '/metrics' && res.statusCode === 200 ? 'silent' : 'info'),
            quietReqLogger: true,
          },
        }),
        InfrastructureModule.register(config, keyring),
        HealthModule,
        IdentityModule,
        SystemModule,
        TenancyModule,
        RegistryModule,
        OAuthModule,
        McpModule,
        ConnectionsModule,
        ConsoleModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
    };
  }
}
