import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { ProviderError, providerErrorKinds } from '../../lib/errors.js';
import { providerFailureType, toApplicationFailure } from '../../connectors/failures.js';

describe('toApplicationFailure', () => {
  it('a 429 becomes a retryable ProviderRateLimited failure that waits as long as the provider asked', () => {
    const err = new ProviderError({ kind: 'rate-limited', message: 'Limiet bereikt', status: 429, retryAfterMs: 7000, providerMessage: 'Too many requests', operation: 'GET clients' });
    const failure = toApplicationFailure(err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'ProviderRateLimited', message: 'Limiet bereikt', nonRetryable: false, nextRetryDelay: 7000 });
    expect(failure.details).toEqual([{ kind: 'rate-limited', status: 429, providerMessage: 'Too many requests', retryAfterMs: 7000, operation: 'GET clients' }]);
  });

  it('wrong credentials become a non-retryable ProviderAuth failure without a retry delay', () => {
    const failure = toApplicationFailure(new ProviderError({ kind: 'auth', message: 'Onjuiste gebruikersnaam of API sleutel', status: 401 }));
    expect(failure).toMatchObject({ type: 'ProviderAuth', nonRetryable: true });
    expect(failure.nextRetryDelay).toBeUndefined();
  });

  it('names every kind Provider<Kind>, retryable exactly for the transient kinds', () => {
    const mapped = providerErrorKinds.map((kind) => {
      const f = toApplicationFailure(new ProviderError({ kind, message: kind }));
      return [f.type, !f.nonRetryable];
    });
    expect(mapped).toEqual([
      ['ProviderAuth', false],
      ['ProviderValidation', false],
      ['ProviderNotFound', false],
      ['ProviderRateLimited', true],
      ['ProviderUnavailable', true],
      ['ProviderTimeout', true],
      ['ProviderNetwork', true],
      ['ProviderConflict', false],
    ]);
    expect(providerFailureType('not-found')).toBe('ProviderNotFound');
  });

  it('an explicit retryable flag wins over the kind default', () => {
    expect(toApplicationFailure(new ProviderError({ kind: 'conflict', message: 'x', retryable: true })).nonRetryable).toBe(false);
  });

  it('leaves anything that is not a ProviderError untouched', () => {
    const plain = new Error('database down');
    expect(toApplicationFailure(plain)).toBe(plain);
    const already = ApplicationFailure.nonRetryable('nope', 'UnknownTenant');
    expect(toApplicationFailure(already)).toBe(already);
    expect(toApplicationFailure('text')).toBe('text');
  });
});
