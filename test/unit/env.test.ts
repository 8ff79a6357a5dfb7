import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../lib/env.js';

describe('configuration defaults that follow other settings', () => {
  it('the OAuth redirect follows PORT unless OAUTH_REDIRECT_BASE_URL is set', () => {
    expect(parseEnv({}).OAUTH_REDIRECT_BASE_URL).toBe('http://127.0.0.1:3000');
    expect(parseEnv({ PORT: '4100' }).OAUTH_REDIRECT_BASE_URL).toBe('http://127.0.0.1:4100');
    expect(parseEnv({ PORT: '4100', OAUTH_REDIRECT_BASE_URL: 'https://simon.example.nl' }).OAUTH_REDIRECT_BASE_URL).toBe('https://simon.example.nl');
  });

  it("the codec's CORS origins follow the Temporal UI's port unless TEMPORAL_UI_ORIGIN is set", () => {
    expect(parseEnv({ TEMPORAL_UI_PORT: '9233' }).TEMPORAL_UI_ORIGIN).toEqual(['http://127.0.0.1:9233', 'http://localhost:9233']);
    expect(parseEnv({ TEMPORAL_UI_PORT: '9233', TEMPORAL_UI_ORIGIN: 'https://ui.example.nl' }).TEMPORAL_UI_ORIGIN).toEqual(['https://ui.example.nl']);
  });
});
