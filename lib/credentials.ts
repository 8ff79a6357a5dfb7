import { z } from 'zod';
import type { ProviderId } from './providers.js';

/** What "Koppel" asks per provider (docs/providers/README.md). OAuth providers connect through the authorize flow instead. */
export const credentialSchemas = {
  factuursturen: z.object({ username: z.string().trim().min(1).max(200), apiKey: z.string().trim().min(8).max(200) }),
  octopus: z.object({ username: z.string().trim().min(1).max(200), password: z.string().min(1).max(200) }),
  imuis: z.object({ environmentCode: z.string().trim().min(1).max(100) }),
} satisfies Partial<Record<ProviderId, z.ZodType>>;

export function credentialSchemaFor(provider: ProviderId): z.ZodType<Record<string, string>> | null {
  return (credentialSchemas as Partial<Record<ProviderId, z.ZodType<Record<string, string>>>>)[provider] ?? null;
}

/** A non-secret label for the admin ("verbonden als …"). */
export function credentialLabel(credentials: Record<string, string>): string | null {
  if (credentials.username) return credentials.username;
  // The iMuis omgevingscode is the tenant's key to its administration: only its last characters are shown.
  const code = credentials.environmentCode?.trim();
  if (code) return code.length <= 4 ? 'omgevingscode ••••' : `omgevingscode ••••${code.slice(-4)}`;
  return null;
}
