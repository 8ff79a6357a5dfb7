import type { Entity } from '../../lib/providers.js';
import type { ExportState, IntegrationStatus, Severity, WorkAddressOrigin, WorkOrderStatus } from '../schema.js';

/**
 * Dutch labels the API returns next to its English enums (docs/log.md), in one place so the wording is
 * reviewed once and Simon's screens need no translation table. Log texts live in lib/messages.ts.
 */

export const integrationStatusLabels: Record<IntegrationStatus, string> = {
  not_activated: 'Nog niet eerder geactiveerd',
  activating: 'Bezig met activeren',
  active: 'Actief',
  paused: 'Gepauzeerd',
  deactivated: 'Gedeactiveerd',
};

/**
 * The colour the manuals give each kind of log entry ("'Info' meldingen wit of blauw, 'Waarschuwingen' geel,
 * 'foutmeldingen' rood"), for Simon's log screen to render. Info is blue here (on white rows).
 */
export const severityColours = { info: 'blue', warning: 'yellow', error: 'red' } as const satisfies Record<Severity, string>;

export const severityLabels: Record<Severity, string> = {
  info: 'Informatie',
  warning: 'Waarschuwing',
  error: 'Fout',
};

export const exportStateLabels: Record<ExportState, string> = {
  pending: 'Wacht op verzending',
  held: 'Aangehouden',
  sent: 'Verstuurd',
  skipped: 'Overgeslagen',
  failed: 'Mislukt',
};

/** The imported entities by the Dutch table name of the status screen. */
export const entityTableLabels: Record<Entity, string> = {
  article_groups: 'Artikel Groep',
  articles: 'Artikel',
  customers: 'Klant',
};

export const workAddressOriginLabels: Record<WorkAddressOrigin, string> = {
  'customer-address': 'Klantadres',
  'invoice-address': 'Factuuradres',
  'delivery-address': 'Afleveradres',
  simon: 'Toegevoegd in Simon',
  'quote-address': 'Adres van offerte/order',
};

/** What a work order was made from (manuals: "Offerte → Werkbon"; Visma.net "Verkoop Order" or "Offerte"). */
export const quoteKindLabels: Record<'quote' | 'salesOrder', string> = {
  quote: 'Offerte',
  salesOrder: 'Verkooporder',
};

export const workOrderStatusLabels: Record<WorkOrderStatus, string> = {
  open: 'Open',
  planned: 'Ingepland',
  completed: 'Gereed gemeld',
  archived: 'Gearchiveerd',
};

export const cadenceLabels = {
  'five-minutes': 'Elke 5 minuten',
  daily: 'Eén keer per dag, en direct via "Nu synchroniseren"',
} as const;

export const syncPhaseLabels = {
  initial: 'Eerste import',
  incremental: 'Bijwerken',
} as const;
