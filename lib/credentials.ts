import { z } from 'zod';
import type { ProviderId } from './providers.js';

/**
 * Each package's credentials, as the connect step seals them into `integration.credentials` (one JSON object of
 * strings; the format is the same for every package, so the types below describe what the JSON holds, they do not
 * change it). A connector reads its own through one parse at its edge (connectors/credentials.ts). Type aliases,
 * not interfaces: each is also a `StoredCredentials` (an object of strings), as it is sealed.
 */

/** FactuurSturen: HTTP Basic with the account name and an API key (docs/providers/factuursturen.md §2). */
export type FactuurSturenCredentials = {
  username: string;
  apiKey: string;
};

/** Octopus: the user's name and password for `POST authentication` (docs/providers/octopus.md §2). */
export type OctopusCredentials = {
  username: string;
  password: string;
};

/** iMuis Online: the tenant's omgevingscode (the partner key is configuration, docs/providers/imuis.md §2). */
export type ImuisCredentials = {
  environmentCode: string;
};

/** OAuth2 tokens as connectors/oauth.ts makes them (Rompslomp, Visma.net; lib/oauth.ts). */
export type OAuthTokens = {
  accessToken: string;
  /** When the access token lapses (ISO 8601, our clock); '' when the provider did not say. */
  expiresAt: string;
  /** Absent when the provider gave none (the access token cannot be renewed then). */
  refreshToken?: string;
  scope: string;
};

export type RompslompCredentials = OAuthTokens;
export type VismaNetCredentials = OAuthTokens;

/** An OAuth provider's pending credentials until the connect step exchanges them: what the callback stored. */
export type OAuthPendingCode = {
  code: string;
  redirectUri: string;
  codeVerifier?: string;
};

interface CredentialsByProvider {
  factuursturen: FactuurSturenCredentials;
  octopus: OctopusCredentials;
  imuis: ImuisCredentials;
  rompslomp: RompslompCredentials;
  'visma-net': VismaNetCredentials;
}

/** The credentials of package `P`. */
export type CredentialsOf<P extends ProviderId> = CredentialsByProvider[P];

/** Any package's credentials as they are sealed and opened again: a JSON object of strings. */
export type StoredCredentials = Record<string, string>;

/** What "Koppel" asks per provider (docs/providers/README.md). OAuth providers connect through the authorize flow instead. */
export const credentialSchemas = {
  factuursturen: z.object({ username: z.string().trim().min(1).max(200), apiKey: z.string().trim().min(8).max(200) }),
  octopus: z.object({ username: z.string().trim().min(1).max(200), password: z.string().min(1).max(200) }),
  imuis: z.object({ environmentCode: z.string().trim().min(1).max(100) }),
} satisfies { [P in 'factuursturen' | 'octopus' | 'imuis']: z.ZodType<CredentialsOf<P>> };

const connectForm: Partial<Record<ProviderId, z.ZodType<StoredCredentials>>> = credentialSchemas;

export function credentialSchemaFor(provider: ProviderId): z.ZodType<StoredCredentials> | null {
  return connectForm[provider] ?? null;
}

/**
 * The stored credentials as a connector reads them at its edge: every field it needs present, nothing more asked of
 * them (what "Koppel" accepted is checked above, and the package itself judges the values). OAuth tokens are read as
 * connectors/oauth.ts writes them; a token set without an access or a refresh token is no connection at all.
 */
const present = z.string().min(1);
const oauthTokens = z
  .object({ accessToken: z.string().default(''), expiresAt: z.string().default(''), refreshToken: z.string().optional(), scope: z.string().default('') })
  .refine((t) => t.accessToken !== '' || !!t.refreshToken);

export const storedCredentialSchemas: { [P in ProviderId]: z.ZodType<CredentialsOf<P>> } = {
  factuursturen: z.object({ username: present, apiKey: present }),
  octopus: z.object({ username: present, password: present }),
  imuis: z.object({ environmentCode: z.string().trim().min(1) }),
  rompslomp: oauthTokens,
  'visma-net': oauthTokens,
};

/** A non-secret label for the admin ("verbonden als …"). */
export function credentialLabel(credentials: { username?: string; environmentCode?: string }): string | null {
  if (credentials.username) return credentials.username;
  // The iMuis omgevingscode is the tenant's key to its administration: only its last characters are shown.
  const code = credentials.environmentCode?.trim();
  if (code) return code.length <= 4 ? 'omgevingscode ••••' : `omgevingscode ••••${code.slice(-4)}`;
  return null;
}
