/** The kinds of failure a provider call can end in (lib/errors.ts classifies them). */
export const providerErrorKinds = [
  'auth',
  'validation',
  'not-found',
  'rate-limited',
  'unavailable',
  'timeout',
  'network',
  'conflict',
] as const;
export type ProviderErrorKind = (typeof providerErrorKinds)[number];
