import type { Env } from '../lib/env.js';
import { providers, type ProviderId } from '../lib/providers.js';
import { createFactuurSturenConnector } from './factuursturen/connector.js';
import type { Connector, ConnectorContext } from './types.js';

export { ProviderError, isProviderError, type ProviderErrorKind } from './errors.js';
export { toApplicationFailure, providerFailureType, type ProviderFailureDetails } from './failures.js';

/** The connector for a provider; only the ones marked `available` in lib/providers.ts exist in this build. */
export function createConnector(provider: ProviderId, ctx: ConnectorContext): Connector {
  switch (provider) {
    case 'factuursturen':
      return createFactuurSturenConnector(ctx);
    case 'octopus':
    case 'imuis':
    case 'rompslomp':
    case 'visma-net':
      throw new Error(`The ${providers[provider].name} connector is not implemented in this build`);
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
