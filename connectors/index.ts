import type { Env } from '../lib/env.js';
import type { ProviderId } from '../lib/providers.js';
import { createFactuurSturenConnector } from './factuursturen/connector.js';
import { createOctopusConnector } from './octopus/connector.js';
import { createImuisConnector } from './imuis/connector.js';
import { createRompslompConnector } from './rompslomp/connector.js';
import { createVismaNetConnector } from './visma-net/connector.js';
import { createOAuthClient } from './oauth.js';
import { oauthConfig } from '../lib/oauth.js';
import type { Connector, ConnectorContext, OAuthConnectorFactory } from './types.js';

export { ProviderError, isProviderError, type ProviderErrorKind } from '../lib/errors.js';
export { toApplicationFailure, providerFailureType, type ProviderFailureDetails } from './failures.js';

/** The connector for a provider; only the ones marked `available` in lib/providers.ts exist in this build. */
export function createConnector(provider: ProviderId, ctx: ConnectorContext): Connector {
  switch (provider) {
    case 'factuursturen':
      return createFactuurSturenConnector(ctx);
    case 'rompslomp':
      return createRompslompConnector(ctx);
    case 'imuis':
      return createImuisConnector(ctx, {
        partnerKey: ctx.config?.partnerKey ?? '',
        ...(ctx.config?.pageSize ? { pageSize: Number(ctx.config.pageSize) } : {}),
        // The article-group filter of the settings in force limits the listings (docs/sync.md).
        articleGroupFilter: ctx.settings?.provider === 'imuis' ? ctx.settings.articleGroupFilter : [],
      });
    case 'visma-net':
      return createVismaNetConnector(ctx);
    case 'octopus':
      return createOctopusConnector(ctx);
  }
}

/** Where each provider's API lives (the fakes by default; production points these at the real services). */
export function providerBaseUrl(env: Env, provider: ProviderId): string {
  const byProvider: Record<ProviderId, string> = {
    octopus: env.OCTOPUS_BASE_URL,
    factuursturen: env.FACTUURSTUREN_BASE_URL,
    imuis: env.IMUIS_BASE_URL,
    rompslomp: env.ROMPSLOMP_BASE_URL,
    'visma-net': env.VISMA_NET_BASE_URL,
  };
  return byProvider[provider];
}

/** Provider settings from the environment that are not per tenant (e.g. Octopus's software house identification). */
export function providerConfig(env: Env, provider: ProviderId): Record<string, string> {
  switch (provider) {
    case 'octopus':
      return { softwareHouseUuid: env.OCTOPUS_SOFTWARE_HOUSE_UUID, listingReuseMs: String(env.OCTOPUS_LISTING_REUSE) };
    case 'imuis':
      return { partnerKey: env.IMUIS_PARTNER_KEY, pageSize: String(env.IMUIS_PAGE_SIZE) };
    case 'factuursturen':
      return env.FACTUURSTUREN_RATE_LIMIT_WAIT !== undefined ? { rateLimitWaitMs: String(env.FACTUURSTUREN_RATE_LIMIT_WAIT) } : {};
    case 'visma-net':
      return { salesOrderBaseUrl: env.VISMA_NET_SALESORDER_BASE_URL, referenceField: env.VISMA_NET_REFERENCE_FIELD };
    default:
      return {};
  }
}

/** The OAuth2 code flow of a provider that connects that way (lib/oauth.ts); null for the others. */
export function oauthFactory(provider: ProviderId, env: Env): OAuthConnectorFactory | null {
  const config = oauthConfig(env, provider);
  return config ? createOAuthClient(config) : null;
}
