import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import type { ApiConfig } from '@gatehouse/config';
import { connectionCallbackUrl } from '@gatehouse/connections';
import type { ProviderCatalog } from '@gatehouse/contracts';
import { PROVIDERS } from '@gatehouse/providers';
import { SessionGuard } from '../identity/session.guard.js';
import { API_CONFIG } from '../infrastructure/tokens.js';

/**
 * The provider catalog as the console's provider settings need it: names, documentation, default scopes and the
 * settings an app takes, plus the one redirect URI every app registers. Public facts only, no tenant data.
 */
@Controller('api/v1/providers')
export class ProvidersController {
  private readonly catalog: ProviderCatalog;

  constructor(@Inject(API_CONFIG) config: ApiConfig) {
    this.catalog = {
      redirectUri: connectionCallbackUrl(config.PUBLIC_API_URL),
      providers: PROVIDERS.map((provider) => ({
        id: provider.id,
        name: provider.name,
        kind: provider.kind === 'oauth2' ? ('oauth2' as const) : ('api_key' as const),
        docsUrl: provider.docsUrl,
        defaultScopes: provider.kind === 'oauth2' ? [...provider.defaultScopes] : [],
        settings:
          provider.kind === 'oauth2'
            ? Object.entries(provider.params).map(([name, spec]) => ({
                name,
                kind: spec.kind,
                description: spec.description,
                default: spec.default ?? null,
              }))
            : [],
      })),
    };
  }

  @Get()
  @UseGuards(SessionGuard)
  list(): ProviderCatalog {
    return this.catalog;
  }
}
