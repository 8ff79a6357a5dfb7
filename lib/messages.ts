import type { ProviderErrorKind } from './error-kinds.js';
import { providers, type ProviderId } from './providers.js';

/**
 * Every user-facing Dutch text of the integration log (docs/log.md) in one module, so the wording is reviewed in
 * one place. Each function returns the "Bericht" (`message`) and the "Te nemen actie" (`action`) column.
 * Actions that need the user point at the real retry path: fix the cause, then "Opnieuw versturen" (docs/log.md).
 * Texts the manuals show literally ("Klant toegevoegd aan Simon", …) are kept word for word.
 */

export interface LogText {
  message: string;
  action: string;
}

/** The manuals' spelling, literally. */
export const NO_ACTION = 'Geen Aktie Nodig';

const RETRY = "kies daarna 'Opnieuw versturen'";

const text = (message: string, action: string = NO_ACTION): LogText => ({ message, action });

export function providerName(provider: ProviderId): string {
  return providers[provider].logName;
}

/**
 * The document an archived work order becomes, in the manuals' words. Visma.net depends on the
 * `documentType` setting; without it the generic "verkooporder of factuur" is used.
 */
export function documentWord(provider: ProviderId, documentType?: 'salesOrder' | 'invoice'): string {
  if (provider === 'visma-net' && documentType) return documentType === 'invoice' ? 'klantfactuur' : 'verkooporder';
  return providers[provider].document;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const quoted = (s: string) => `'${s}'`;
const withProviderMessage = (message: string, providerMessage: string | null | undefined) =>
  providerMessage && providerMessage.trim() ? `${message}: ${providerMessage.trim()}` : message;

/** Why the cleanup removed (or would remove) a record (docs/sync.md "Cleanup", docs/sync.md). */
export type RemovalReason = 'deleted' | 'inactive' | 'local' | 'outside-group-filter' | 'source-address-gone';

function removalReason(reason: RemovalReason, provider: ProviderId): string {
  const name = providerName(provider);
  switch (reason) {
    case 'deleted':
      return `verwijderd in ${name}`;
    case 'inactive':
      return `inactief in ${name}`;
    case 'local':
      return `toegevoegd in Simon, niet bekend in ${name}`;
    case 'outside-group-filter':
      return 'valt buiten het artikelgroepfilter';
    case 'source-address-gone':
      return `adres niet meer gevuld in ${name}`;
  }
}

// ------------------------------------------------------------------ customers (table "Klant")

export const customerAdded = (): LogText => text('Klant toegevoegd aan Simon');
export const customerChanged = (): LogText => text('Klant gewijzigd in Simon');
/** Info: the customer is inactive in the accounting package and was deactivated in Simon. */
export const customerDeactivated = (provider: ProviderId): LogText =>
  text(`Klant gedeactiveerd in Simon (inactief in ${providerName(provider)})`);
export const customerRemoved = (provider: ProviderId, reason: RemovalReason): LogText =>
  text(`Klant verwijderd uit Simon (${removalReason(reason, provider)})`);
/** Warning: the cleanup would remove the customer, but a work order that is not archived yet still uses it. */
export const customerInUseDeactivated = (provider: ProviderId, reason: RemovalReason): LogText =>
  text(
    `Klant niet verwijderd maar gedeactiveerd in Simon (${removalReason(reason, provider)}): de klant staat nog op een werkbon die niet is gearchiveerd`,
    `Koppel een klant uit ${providerName(provider)} aan de openstaande werkbonnen van deze klant; de klant wordt daarna bij de volgende schoonmaak verwijderd`,
  );

// ------------------------------------------------------------------ work addresses (table "Werkadres")

export const workAddressAdded = (): LogText => text('Toevoegen Werkadres in Simon gelukt');
export const workAddressChanged = (): LogText => text('Wijzigen Werkadres in Simon gelukt');
export const workAddressRemoved = (provider: ProviderId, reason: RemovalReason | 'customer-removed'): LogText =>
  text(`Werkadres verwijderd uit Simon (${reason === 'customer-removed' ? 'klant is verwijderd' : removalReason(reason, provider)})`);
export const workAddressInUseDeactivated = (provider: ProviderId): LogText =>
  text(
    'Werkadres niet verwijderd maar gedeactiveerd in Simon: het werkadres staat nog op een werkbon die niet is gearchiveerd',
    `Kies op de openstaande werkbonnen een ander werkadres van een klant uit ${providerName(provider)}; het werkadres wordt daarna bij de volgende schoonmaak verwijderd`,
  );

// ------------------------------------------------------------------ articles (tables "Artikel", "Artikel Groep")

export const articleAdded = (): LogText => text('Toevoegen Artikel in Simon is gelukt');
export const articleChanged = (): LogText => text('Wijzigen Artikel in Simon is gelukt');
export const articleDeactivated = (provider: ProviderId): LogText =>
  text(`Artikel gedeactiveerd in Simon (inactief in ${providerName(provider)})`);
export const articleRemoved = (provider: ProviderId, reason: RemovalReason): LogText =>
  text(`Artikel verwijderd uit Simon (${removalReason(reason, provider)})`);
export const articleInUseDeactivated = (provider: ProviderId, reason: RemovalReason): LogText =>
  text(
    `Artikel niet verwijderd maar gedeactiveerd in Simon (${removalReason(reason, provider)}): het artikel staat nog op een werkbon die niet is gearchiveerd`,
    `Vervang het artikel op de openstaande werkbonnen door een artikel uit ${providerName(provider)}; het artikel wordt daarna bij de volgende schoonmaak verwijderd`,
  );

export const articleGroupAdded = (): LogText => text('Toevoegen Artikel Groep in Simon is gelukt');
export const articleGroupChanged = (): LogText => text('Wijzigen Artikel Groep in Simon is gelukt');
export const articleGroupRemoved = (provider: ProviderId, reason: RemovalReason): LogText =>
  text(`Artikel Groep verwijderd uit Simon (${removalReason(reason, provider)})`);

// ------------------------------------------------------------------ import and sync (table "Integratie")

export interface ImportCounts {
  articleGroups: number;
  articles: number;
  customers: number;
  workAddresses?: number;
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const initialImportStarted = (provider: ProviderId): LogText =>
  text(`Eerste import uit ${providerName(provider)} gestart: klanten, artikelen en artikelgroepen worden op de achtergrond opgehaald`);

/**
 * The summary of one scope's initial import: only what that scope imported (the customers' run names customers and
 * work addresses, the articles' run article groups and articles). Counts that are absent were not part of the run.
 */
export const initialImportFinished = (provider: ProviderId, counts: Partial<ImportCounts>): LogText => {
  const parts: string[] = [];
  if (counts.articleGroups !== undefined) parts.push(count(counts.articleGroups, 'artikelgroep', 'artikelgroepen'));
  if (counts.articles !== undefined) parts.push(count(counts.articles, 'artikel', 'artikelen'));
  if (counts.customers !== undefined) parts.push(count(counts.customers, 'klant', 'klanten'));
  if (counts.workAddresses !== undefined) parts.push(count(counts.workAddresses, 'werkadres', 'werkadressen'));
  return text(`Eerste import uit ${providerName(provider)} voltooid: ${parts.join(', ') || 'niets te importeren'}`);
};

export type SyncSubject = 'customers' | 'articles' | 'article_groups' | 'quotes' | 'all';
const syncSubject: Record<SyncSubject, string> = {
  customers: 'klanten',
  articles: 'artikelen',
  article_groups: 'artikelgroepen',
  quotes: 'offertes',
  all: 'gegevens',
};

export const syncFailed = (provider: ProviderId, subject: SyncSubject, providerMessage: string | null): LogText =>
  text(
    withProviderMessage(`Synchroniseren van ${syncSubject[subject]} met ${providerName(provider)} mislukt`, providerMessage),
    `De synchronisatie wordt automatisch opnieuw geprobeerd. Blijft deze melding terugkomen, los dan de oorzaak op in ${providerName(provider)} en kies 'Nu synchroniseren'`,
  );

/**
 * Error: a cleanup run gave up. When the listing failed nothing was removed (docs/sync.md "Cleanup"); a failure while
 * removing may have left part of the work for the next run.
 */
export const cleanupFailed = (provider: ProviderId, providerMessage: string | null, nothingRemoved = true): LogText =>
  text(
    withProviderMessage(
      `Schoonmaak van klanten en artikelen met ${providerName(provider)} mislukt${nothingRemoved ? '; er is niets verwijderd' : ''}`,
      providerMessage,
    ),
    `Geen actie nodig als dit eenmalig is: de schoonmaak draait een paar keer per week. Blijft deze melding terugkomen, controleer dan de koppeling met ${providerName(provider)}`,
  );

/** Warning: an empty listing while Simon holds imported records looks like a provider fault, so nothing is removed. */
export const cleanupSkippedEmptyListing = (provider: ProviderId, subject: SyncSubject, inSimon: number): LogText =>
  text(
    `Schoonmaak van ${syncSubject[subject]} overgeslagen: ${providerName(provider)} gaf geen enkele terug, terwijl Simon er ${inSimon} uit ${providerName(provider)} heeft`,
    `Controleer in ${providerName(provider)} of de ${syncSubject[subject]} echt allemaal verwijderd zijn; zo ja, activeer de integratie opnieuw en wis de tabel in Simon`,
  );

/** The provider refused our credentials during a sync or export (expired key, revoked authorisation). */
export const authFailed = (provider: ProviderId, providerMessage: string | null): LogText =>
  text(
    withProviderMessage(`Inloggen bij ${providerName(provider)} mislukt`, providerMessage),
    `Controleer de inloggegevens van ${providerName(provider)} en koppel de integratie opnieuw via 'Wijzig'`,
  );

// ------------------------------------------------------------------ archive → document (table "Werkbon")

export interface ExportSubject {
  provider: ProviderId;
  workOrderNumber: string;
  /** Visma.net only: which document the settings ask for. */
  documentType?: 'salesOrder' | 'invoice';
}

/** Info: e.g. "Conceptfactuur 2024-0012 aangemaakt in FactuurSturen voor werkbon 1043". */
export const exportSent = (s: ExportSubject & { documentNumber: string | null }): LogText => {
  const doc = capitalize(documentWord(s.provider, s.documentType));
  const nr = s.documentNumber ? ` ${s.documentNumber}` : '';
  return text(`${doc}${nr} aangemaakt in ${providerName(s.provider)} voor werkbon ${s.workOrderNumber}`, unbookedDocumentAction[s.provider]);
};

/**
 * Providers whose API has no draft flag (docs/export.md): the document is created without being booked, which is as
 * editable as it gets there, and the log says so. Octopus: `POST invoices` creates, a separate `invoices/book` books;
 * we never call the latter (docs/providers/octopus.md §3.6; no draft flag confirmed in Octopus's own material).
 */
const unbookedDocumentAction: Partial<Record<ProviderId, string>> = {
  octopus: 'Controleer de verkoopfactuur in Octopus en boek hem daar door: Simon maakt hem aan zonder door te boeken (de Octopus-API kent geen conceptstatus)',
};

/** Info: the work description contains the exclusion filter word (docs/export.md). */
export const exportSkippedExcludeWord = (s: ExportSubject & { word: string }): LogText =>
  text(
    `Werkbon ${s.workOrderNumber} niet naar ${providerName(s.provider)} gestuurd: de werkomschrijving bevat het filterwoord ${quoted(s.word)}`,
  );

/** Info: a work order that came from a Visma.net sales order is not sent as a second order (docs/export.md). */
export const exportSkippedFromProviderOrder = (s: ExportSubject & { orderNumber: string }): LogText =>
  text(
    `Werkbon ${s.workOrderNumber} niet naar ${providerName(s.provider)} gestuurd: de werkbon komt uit verkooporder ${s.orderNumber} in ${providerName(s.provider)}`,
  );

export const exportNoCustomer = (s: ExportSubject): LogText =>
  text(
    `Werkbon ${s.workOrderNumber} heeft geen klant: er kan geen ${documentWord(s.provider, s.documentType)} in ${providerName(s.provider)} gemaakt worden zonder debiteur`,
    `Koppel een klant uit ${providerName(s.provider)} aan de werkbon en kies 'Opnieuw versturen'`,
  );

export const exportCustomerNotSynced = (s: ExportSubject & { customerName: string }): LogText =>
  text(
    `Klant ${quoted(s.customerName)} van werkbon ${s.workOrderNumber} is niet bekend in ${providerName(s.provider)}`,
    `Koppel een klant uit ${providerName(s.provider)} aan de werkbon en kies 'Opnieuw versturen'`,
  );

export const exportWorkAddressOtherCustomer = (s: ExportSubject & { address: string }): LogText =>
  text(
    `Werkadres ${quoted(s.address)} van werkbon ${s.workOrderNumber} hoort bij een andere klant dan de klant van de werkbon`,
    `Kies op de werkbon een werkadres van de klant van de werkbon (of koppel het werkadres aan die klant) en ${RETRY}`,
  );

/** Which line of the document lacks a bookable article. */
export type ArticleProblemRole = 'work-time' | 'travel-time' | 'default' | 'material';

const settingArticleLabel: Record<Exclude<ArticleProblemRole, 'material'>, string> = {
  'work-time': 'werktijd',
  'travel-time': 'reistijd',
  default: 'het standaard artikel',
};

export const exportArticleNotSynced = (
  s: ExportSubject & { role: ArticleProblemRole; article: { code: string; description: string } | null; lineDescription?: string | null },
): LogText => {
  const name = providerName(s.provider);
  if (s.role !== 'material') {
    const label = settingArticleLabel[s.role];
    const what = s.article ? `Artikel ${quoted(s.article.code)} voor ${label}` : `Het artikel voor ${label} uit de instellingen`;
    return text(
      `${what} is niet bekend in ${name}; werkbon ${s.workOrderNumber} kan niet worden verstuurd`,
      `Kies in de instellingen een artikel uit ${name} (Controleer en Opslaan) en ${RETRY}`,
    );
  }
  if (!s.article) {
    const line = s.lineDescription?.trim() ? ` ${quoted(s.lineDescription.trim())}` : '';
    return text(
      `Materiaalregel${line} op werkbon ${s.workOrderNumber} heeft geen artikel en kan niet worden geboekt`,
      `Kies op de werkbon voor deze regel een artikel uit ${name} en ${RETRY}`,
    );
  }
  return text(
    `Artikel ${quoted(s.article.code)} (${s.article.description}) op werkbon ${s.workOrderNumber} is niet bekend in ${name}`,
    `Vervang het artikel op de werkbon door een artikel uit ${name} en ${RETRY}`,
  );
};

/** Error: the provider refused the document (validation error, closed period, …). */
export const exportRejected = (s: ExportSubject & { providerMessage: string | null }): LogText =>
  text(
    withProviderMessage(
      `${providerName(s.provider)} heeft de ${documentWord(s.provider, s.documentType)} voor werkbon ${s.workOrderNumber} geweigerd`,
      s.providerMessage,
    ),
    `Los de oorzaak op in Simon of in ${providerName(s.provider)} en ${RETRY}`,
  );

/**
 * Document preview (docs/preview.md): an article of the document that the package does not have (any more). The
 * export would fail on it with `exportRejected`; the preview names the way out.
 */
export const previewArticleGoneUpstream = (s: ExportSubject & { code: string; reason: string }): LogText =>
  text(
    withProviderMessage(`${providerName(s.provider)} zou de ${documentWord(s.provider, s.documentType)} voor werkbon ${s.workOrderNumber} weigeren`, s.reason),
    `Vervang artikel ${quoted(s.code)} op de werkbon of in de instellingen door een artikel dat in ${providerName(s.provider)} bestaat, of zet het daar terug en synchroniseer`,
  );

/** Document preview: the Visma.net warehouse of the sales order lines does not exist (any more) or is not active. */
export const previewWarehouseMissing = (s: ExportSubject & { warehouse: string; reason: string }): LogText =>
  text(
    withProviderMessage(`${providerName(s.provider)} zou de ${documentWord(s.provider, s.documentType)} voor werkbon ${s.workOrderNumber} weigeren`, s.reason),
    `Kies in de instellingen een bestaand, actief magazijn in plaats van ${quoted(s.warehouse)} (Controleer en Opslaan), of activeer het in ${providerName(s.provider)}`,
  );

/** Error: the provider stayed unreachable (5xx, timeouts) after all automatic attempts. */
export const exportUnavailable = (s: ExportSubject & { providerMessage: string | null }): LogText =>
  text(
    withProviderMessage(`Versturen van werkbon ${s.workOrderNumber} naar ${providerName(s.provider)} mislukt`, s.providerMessage),
    `${providerName(s.provider)} is tijdelijk niet bereikbaar; probeer het later opnieuw met 'Opnieuw versturen'`,
  );

/**
 * Warning: a create whose outcome is unknown (timeout, dropped connection, 5xx, a stopped worker): the document may
 * exist. The export looks again after the in-doubt window and creates it only when it is still missing
 * (docs/exactly-once.md), so nothing is doubled and the user need not act.
 */
export const exportInDoubt = (s: ExportSubject & { providerMessage: string | null; checkAfterMinutes: number }): LogText =>
  text(
    withProviderMessage(
      `Onbekend of de ${documentWord(s.provider, s.documentType)} voor werkbon ${s.workOrderNumber} in ${providerName(s.provider)} is aangemaakt`,
      s.providerMessage,
    ) + `; Simon kijkt ${s.checkAfterMinutes <= 1 ? 'binnen een minuut' : `over ${s.checkAfterMinutes} minuten`} of hij er is en maakt hem alleen aan als hij ontbreekt`,
    'Geen actie nodig; maak de werkbon niet met de hand aan in ' + providerName(s.provider),
  );

/** Info: the sweep started an export nobody had started (the API stopped, or Temporal was away, at archive time). */
export const exportResumed = (s: ExportSubject): LogText =>
  text(`Werkbon ${s.workOrderNumber} wordt alsnog naar ${providerName(s.provider)} gestuurd: het versturen was bij het archiveren niet gestart`);

/** Warning: archived while the integration is deactivated or never activated (docs/export.md: `held`). */
export const exportHeldNotActive = (s: ExportSubject): LogText =>
  text(
    `Werkbon ${s.workOrderNumber} niet naar ${providerName(s.provider)} gestuurd: integratie niet actief`,
    `Moet de werkbon alsnog naar ${providerName(s.provider)}, activeer dan de integratie en kies 'Opnieuw versturen'; heb je de werkbon al met de hand gefactureerd, dan is geen actie nodig`,
  );

/** Info: archived while the integration is paused; it is sent on resume (docs/export.md: `pending`). */
export const exportPendingPaused = (s: ExportSubject): LogText =>
  text(
    `Werkbon ${s.workOrderNumber} wacht: de integratie is gepauzeerd`,
    `Hervat de integratie; de werkbon wordt dan automatisch naar ${providerName(s.provider)} gestuurd`,
  );

/** Warning after re-activation: exports held while the integration was not active (docs/export.md). */
export const heldExportsAfterReactivation = (provider: ProviderId, held: number): LogText =>
  text(
    `${count(held, 'gearchiveerde werkbon is', 'gearchiveerde werkbonnen zijn')} niet naar ${providerName(provider)} gestuurd omdat de integratie niet actief was`,
    `Bekijk deze werkbonnen en kies 'Opnieuw versturen' voor de werkbonnen die alsnog naar ${providerName(provider)} moeten`,
  );

export type AttachmentKind = 'workOrderPdf' | 'formsPdf';
const attachmentLabel: Record<AttachmentKind, string> = { workOrderPdf: 'werkbon-PDF', formsPdf: 'PDF met eigen formulieren' };

/** Warning: a PDF to attach does not exist (docs/export.md); the document itself was created. */
export const attachmentMissing = (s: ExportSubject & { kind: AttachmentKind }): LogText =>
  text(
    `De ${attachmentLabel[s.kind]} van werkbon ${s.workOrderNumber} bestaat niet en is niet meegestuurd naar ${providerName(s.provider)}`,
    `Voeg de PDF zo nodig zelf toe in ${providerName(s.provider)}`,
  );

/** Warning: the document was created, but the provider refused a PDF (docs/export.md); the rest of the export stands. */
export const attachmentRejected = (s: ExportSubject & { kind: AttachmentKind; providerMessage: string | null }): LogText =>
  text(
    withProviderMessage(
      `De ${attachmentLabel[s.kind]} van werkbon ${s.workOrderNumber} kon niet worden toegevoegd aan de ${documentWord(s.provider, s.documentType)} in ${providerName(s.provider)}`,
      s.providerMessage,
    ),
    `Voeg de PDF zelf toe in ${providerName(s.provider)}`,
  );

// ------------------------------------------------------------------ quotes (table "Offerte")

export const quoteImported = (provider: ProviderId, quoteNumber: string, workOrderNumber: string): LogText =>
  text(`Offerte ${quoteNumber} uit ${providerName(provider)} is werkbon ${workOrderNumber} geworden`);

export const quoteCustomerNotSynced = (provider: ProviderId, quoteNumber: string): LogText =>
  text(
    `Offerte ${quoteNumber} uit ${providerName(provider)} is niet overgenomen: de klant van de offerte is niet bekend in Simon`,
    `Controleer de klant van de offerte in ${providerName(provider)}; de offerte wordt bij de volgende synchronisatie opnieuw geprobeerd zodra de klant in Simon staat`,
  );

/** Warning: a quote line without a known article became a text note on the work order (docs/quotes.md). */
export const quoteLineWithoutArticle = (provider: ProviderId, quoteNumber: string, lineDescription: string): LogText =>
  text(
    `Regel ${quoted(lineDescription)} van offerte ${quoteNumber} heeft geen artikel dat bekend is in Simon en is als notitie op de werkbon gezet`,
    `Voeg zo nodig op de werkbon een artikel uit ${providerName(provider)} toe`,
  );

// ------------------------------------------------------------------ integration lifecycle (table "Integratie")

function cadenceSentence(provider: ProviderId): string {
  const name = providerName(provider);
  return providers[provider].cadence === 'daily'
    ? `Vanwege de API-limieten van ${name} worden mutaties uit ${name} één keer per dag automatisch opgehaald; met 'Nu synchroniseren' haal je ze direct op.`
    : `Het ophalen van mutaties uit ${name} gebeurt elke 5 minuten.`;
}

/** The save confirmation of the manuals (docs/settings.md), with the cadence stated truthfully per provider. */
export const settingsSaved = (provider: ProviderId): LogText =>
  text(
    [
      'Integratie succesvol! De synchronisatie wordt op de achtergrond gestart.',
      cadenceSentence(provider),
      `Als je een werkbon archiveert wordt deze binnen een paar minuten naar ${providerName(provider)} gestuurd.`,
      'Heb geduld, omdat alle data opgehaald moet worden, kan dat met name de eerste keer even duren!',
    ].join(' '),
  );

/** A later save of changed settings: they apply from now on, never retroactively (docs/activation.md). */
export const settingsChanged = (provider: ProviderId, version: number): LogText =>
  text(`Instellingen van de integratie met ${providerName(provider)} gewijzigd (versie ${version}); ze gelden voor werkbonnen die vanaf nu worden gearchiveerd`);

export const connected = (provider: ProviderId, label: string | null): LogText =>
  text(`Koppelen met ${providerName(provider)} gelukt${label ? ` (${label})` : ''}`);

/**
 * Error: the provider withdrew Simon's OAuth authorisation (refresh token revoked or expired); the integration
 * is paused until the admin connects again.
 */
export const reconnectRequired = (provider: ProviderId, providerMessage: string | null): LogText =>
  text(
    withProviderMessage(`De koppeling met ${providerName(provider)} is verlopen of ingetrokken; de integratie is gepauzeerd`, providerMessage),
    `Koppel ${providerName(provider)} opnieuw: kies bij de integratie 'Koppelen', geef Simon toegang in ${providerName(provider)} en kies daarna 'Hervatten'`,
  );

/** The page the admin's browser shows after coming back from the provider's consent screen (OAuth callback). */
export const oauthCallbackTexts = {
  connected: (provider: ProviderId, label: string | null) =>
    `Koppelen met ${providerName(provider)} gelukt${label ? ` (${label})` : ''}, je kunt dit venster sluiten.`,
  failed: (provider: ProviderId, reason: string) => `Koppelen met ${providerName(provider)} mislukt: ${reason}`,
  unknownState: () => 'deze koppellink is onbekend. Vraag in Simon een nieuwe koppeling aan.',
  expiredState: () => 'deze koppellink is verlopen. Vraag in Simon een nieuwe koppeling aan.',
  usedState: () => 'deze koppellink is al gebruikt. Vraag in Simon een nieuwe koppeling aan als het koppelen niet gelukt is.',
  otherProvider: () => 'deze koppellink hoort bij een ander boekhoudpakket.',
  denied: (provider: ProviderId) => `je hebt Simon in ${providerName(provider)} geen toegang gegeven. Probeer het opnieuw vanuit Simon.`,
  missingCode: (provider: ProviderId) => `${providerName(provider)} stuurde geen autorisatiecode terug.`,
  rejected: (provider: ProviderId) => `${providerName(provider)} weigerde de koppeling.`,
  wrongState: () => 'de integratie wacht niet (meer) op deze koppeling. Start de koppeling opnieuw vanuit Simon.',
} as const;

export const connectFailed = (provider: ProviderId, providerMessage: string | null): LogText =>
  text(
    withProviderMessage(`Koppelen met ${providerName(provider)} mislukt`, providerMessage),
    `Controleer de inloggegevens van ${providerName(provider)} en probeer opnieuw te koppelen`,
  );

export const integrationPaused = (provider: ProviderId): LogText =>
  text(
    `Integratie met ${providerName(provider)} gepauzeerd: er wordt niet gesynchroniseerd en gearchiveerde werkbonnen wachten`,
    'Hervat de integratie om de synchronisatie en het versturen van werkbonnen weer te starten',
  );

export const integrationResumed = (provider: ProviderId): LogText =>
  text(`Integratie met ${providerName(provider)} hervat: wachtende werkbonnen worden verstuurd`);

export const integrationDeactivated = (provider: ProviderId): LogText =>
  text(`Integratie met ${providerName(provider)} gedeactiveerd: er wordt niet meer gesynchroniseerd en gearchiveerde werkbonnen worden niet meer verstuurd`);

export const integrationActivationStarted = (provider: ProviderId): LogText =>
  text(`Activeren van de integratie met ${providerName(provider)} gestart`);

export const wipeDone = (table: string, rows: number): LogText =>
  text(`Tabel ${table} leeggemaakt: ${count(rows, 'rij', 'rijen')} verwijderd`);

// ------------------------------------------------------------------ "Controleer" field errors (docs/settings.md)

/** Dutch error texts of a failing settings check (`FieldCheck.error`); plain strings, not log entries. */
export const checkErrors = {
  articleUnknown: (provider: ProviderId) => `Artikel niet bekend in ${providerName(provider)}`,
  articleNotNonStock: () => "Artikel is geen 'Non-Stock' artikel in Visma.net",
  administrationUnknown: () => 'Administratienummer niet bekend',
  /** The manuals: "Simon geeft een foutmelding dat het administratienummer niet bekend is" (dossier or company). */
  dossierUnknown: (_provider: ProviderId) => 'Administratienummer niet bekend',
  journalUnknown: (provider: ProviderId) => `Dagboek niet bekend in ${providerName(provider)}`,
  companyUnknown: (_provider: ProviderId) => 'Administratienummer niet bekend',
  /** iMuis manual, after "Controleer" of the article-group filter. */
  articleGroupFilterChecked: () => 'Artikel-Groep filter gecontroleerd!',
  /** A partial "Controleer" of a field that needs another one first (Octopus articles live in a dossier). */
  fillFirst: (fields: string[]) => `Vul eerst ${fields.join(', ')} in; daarna kan dit veld worden gecontroleerd`,
  warehouseUnknown: (provider: ProviderId) => `Magazijn niet bekend in ${providerName(provider)}`,
  warehouseDefaultRequired: () => 'Kies een standaard magazijn voor gebruikers zonder eigen magazijn',
  warehouseInactive: (provider: ProviderId) => `Magazijn is niet actief in ${providerName(provider)}`,
  /** Visma.net: an item whose status no longer allows sales (Inactive, NoSales, MarkedForDeletion). */
  articleInactive: (provider: ProviderId) => `Artikel is niet actief (niet verkoopbaar) in ${providerName(provider)}`,
  articleGroupUnknown: (provider: ProviderId, group: string) => `Artikelgroep ${quoted(group)} niet bekend in ${providerName(provider)}`,
  articleBlocked: (provider: ProviderId) => `Artikel is geblokkeerd in ${providerName(provider)}`,
  /** iMuis: a settings article must be imported, so its group must pass the article-group filter (docs/sync.md). */
  articleOutsideGroupFilter: (group: string | null) =>
    group ? `Artikel valt buiten het artikelgroepfilter (groep ${quoted(group)})` : 'Artikel valt buiten het artikelgroepfilter (geen artikelgroep)',
  termsNotAccepted: () => 'De voorwaarden moeten worden geaccepteerd',
  /** Rompslomp's free "Gratis" plan has no API access (`access_control.api_accessible: false`). */
  companyWithoutApiAccess: (name: string) =>
    `Bedrijf ${quoted(name)} heeft het Gratis-abonnement van Rompslomp; daarmee is geen koppeling mogelijk. Kies een bedrijf met een betaald abonnement`,
  companyMissingScopes: (name: string, scopes: string[]) =>
    `Simon heeft in Rompslomp niet alle benodigde rechten voor bedrijf ${quoted(name)} (ontbreekt: ${scopes.join(', ')})`,
  companyFirst: () => 'Kies eerst een bedrijf dat bekend is in Rompslomp; daarna worden de artikelen gecontroleerd',
  journalClosed: (provider: ProviderId, journal: string) => `Dagboek ${quoted(journal)} is afgesloten in ${providerName(provider)}`,
  noOpenBookyear: (provider: ProviderId) => `Geen open boekjaar in ${providerName(provider)}`,
  dossierFirst: (provider: ProviderId) => `Kies eerst een dossier dat bekend is in ${providerName(provider)}`,
} as const;

// ------------------------------------------------------------------ API quota (table "Integratie")

/** Warning: "Nu synchroniseren" refused because it would go over the day's (or minute's) API quota (docs/quota.md). */
export const syncNowRefusedQuota = (
  provider: ProviderId,
  q: { window: 'day' | 'minute'; needed: number; remaining: number; retryAt: string },
): LogText =>
  text(
    q.window === 'day'
      ? `'Nu synchroniseren' niet gestart: het maximum aantal verzoeken aan ${providerName(provider)} voor vandaag is bijna bereikt (nog ${q.remaining} beschikbaar voor synchronisatie, nodig ${q.needed}; de rest is gereserveerd voor het versturen van werkbonnen)`
      : `'Nu synchroniseren' niet gestart: het maximum aantal verzoeken aan ${providerName(provider)} per minuut is bereikt`,
    q.window === 'day'
      ? `Probeer het na ${q.retryAt} opnieuw; de automatische synchronisatie van vannacht haalt de wijzigingen ook op`
      : `Probeer het na ${q.retryAt} opnieuw`,
  );

/** Warning: the guard stopped a sync (or, with the reserve used up, an export) until the day is over; it then continues by itself. */
export const quotaReached = (provider: ProviderId, what: 'sync' | 'export', retryAt: string): LogText =>
  what === 'sync'
    ? text(
        `Maximum aantal verzoeken aan ${providerName(provider)} voor vandaag bereikt: synchroniseren wacht tot ${retryAt}`,
        `Geen actie nodig: het gaat na ${retryAt} vanzelf verder. Gearchiveerde werkbonnen gebruiken een eigen reserve en worden wel verstuurd`,
      )
    : text(
        `Maximum aantal verzoeken aan ${providerName(provider)} voor vandaag bereikt, ook de reserve voor werkbonnen: versturen wacht tot ${retryAt}`,
        `Geen actie nodig: de werkbonnen worden na ${retryAt} vanzelf verstuurd`,
      );

/** Dutch texts for the integration log; the provider's own words are appended by `describeProviderError`. */
export const providerErrorTexts: Record<ProviderErrorKind, (provider: string) => string> = {
  auth: (p) => `${p} weigert de toegang; controleer de inloggegevens`,
  validation: (p) => `${p} heeft het verzoek afgewezen`,
  'not-found': (p) => `${p} kent het gevraagde gegeven niet`,
  'rate-limited': (p) => `Maximum aantal verzoeken aan ${p} bereikt; het wordt later automatisch opnieuw geprobeerd`,
  unavailable: (p) => `${p} is tijdelijk niet beschikbaar; het wordt automatisch opnieuw geprobeerd`,
  timeout: (p) => `${p} reageerde niet op tijd; het wordt automatisch opnieuw geprobeerd`,
  network: (p) => `${p} is niet bereikbaar; het wordt automatisch opnieuw geprobeerd`,
  conflict: (p) => `${p} meldt een conflict met bestaande gegevens`,
};

// ------------------------------------------------------------------ texts the connectors share (connectors/kit.ts)

/** `name` is the package's display name, as the connector's errors carry it. */
export const connectorTexts = {
  unexpectedAnswer: (name: string) => `${name} gaf een onverwacht antwoord`,
  badCursor: (cursor: string) => `Ongeldige cursor '${cursor}' voor een lijst`,
  unknownArticle: (name: string) => `Artikel niet bekend in ${name}`,
  termsNotAccepted: checkErrors.termsNotAccepted(),
};

// ---- FactuurSturen ----

/** What the FactuurSturen connector says in the log (docs/providers/factuursturen.md). */
export const factuurSturenTexts = {
  wrongCredentials: 'Onjuiste gebruikersnaam of API sleutel',
  missingCredentials: 'Gebruikersnaam of API sleutel ontbreekt',
  /** A 403 that is not the hourly limit (perhaps an API key made inactive). */
  accessRefused: 'FactuurSturen weigert de toegang; controleer of de API sleutel nog actief is',
  hourlyLimit: 'Maximum aantal verzoeken per uur aan FactuurSturen bereikt; Simon gaat na het volgende hele uur vanzelf verder',
  saveNameInvalid: (name: string) => `Ongeldige naam '${name}' voor de conceptfactuur: FactuurSturen staat hoogstens 20 tekens toe`,
  articleGone: (code: string) => `Artikel ${code} is niet (meer) bekend in FactuurSturen en heeft geen prijs op de werkbon`,
  listingCutOff: (list: string, count: number) =>
    `FactuurSturen gaf een onvolledige lijst '${list}' (${count} regels, er zijn er meer); er wordt niets opgeschoond en het wordt later opnieuw geprobeerd`,
  savedButNotFound: 'FactuurSturen bevestigde de conceptfactuur, maar Simon vindt hem niet terug onder zijn naam; Simon kijkt zo opnieuw',
  unknownList: (list: string) => `Lijst '${list}' bestaat niet voor FactuurSturen`,
};

// ---- iMuis Online ----

/** The iMuis connector's own texts (docs/providers/imuis.md); the provider's words are added by the error. */
export const imuisTexts = {
  /** Document preview (docs/preview.md): what iMuis would refuse in the sales order. */
  articleGone: (code: string) => `Artikel ${code} is niet (meer) bekend of geblokkeerd in iMuis`,
  missingEnvironmentCode: 'De omgevingscode ontbreekt',
  missingPartnerKey: 'De partnersleutel voor iMuis ontbreekt in de configuratie (IMUIS_PARTNER_KEY)',
  loginRefused: `${providerName('imuis')} weigert de koppeling; controleer de omgevingscode (Muis Apps → Simon)`,
  badValue: (field: string) => `Ongeldige zoekwaarde voor ${field}`,
  unknownList: (list: string) => `Lijst '${list}' bestaat niet voor ${providerName('imuis')}`,
  /** A page with fewer records than iMuis announced: cut off, never the end of the listing (the cleanup must not trust it). */
  shortPage: (table: string, rows: number, announced: number) =>
    `${providerName('imuis')} gaf een onvolledige pagina van tabel ${table} (${rows} records, ${announced} aangekondigd); de lijst wordt later opnieuw opgehaald`,
  /** The quote tables could not be read (docs/providers/imuis.md §7): nothing was imported. */
  quotesUnreadable: (providerMessage: string | null) =>
    withProviderMessage('Offertes kunnen niet uit iMuis worden gelezen, er is geen offerte overgenomen', providerMessage) +
    '. Neem contact op met Simon-support: het lezen van offertes uit iMuis is nog niet bevestigd',
};

// ---- Visma.net ----

/** The Visma.net connector's own texts (connectors/visma-net/); `VISMA` is the package's name in the log. */
const VISMA = providerName('visma-net');
export const vismaNetTexts = {
  notConnected: `Er is geen toegang tot ${VISMA} opgeslagen; koppel de integratie opnieuw`,
  expired: `De koppeling met ${VISMA} is verlopen of ingetrokken; koppel de integratie opnieuw`,
  /** A 401 with a freshly renewed token (docs/providers/visma-net.md §2, D13). */
  wrongTenant: `${VISMA} weigert het toegangstoken: bij het koppelen is waarschijnlijk de verkeerde tenant gekozen (Customer in plaats van Company) of de gebruiker mist de rol 'API User'; koppel opnieuw met het juiste bedrijf`,
  forbidden: `${VISMA} weigert de toegang: de gebruiker heeft voor dit bedrijf geen rol 'API User' of de koppeling mist rechten`,
  salesOrderScopeMissing: `De app van Simon heeft in ${VISMA} geen rechten op de Sales Order API (scope visma.net.erp.salesorder); neem contact op met Simon`,
  conflict: `Het document is in ${VISMA} tegelijk door iemand anders gewijzigd`,
  duplicate: `${VISMA} meldt een conflict: het document bestaat al of is tegelijk gewijzigd`,
  ifMatchRequired: `${VISMA} eist bij deze wijziging een versie (If-Match); dit is een fout in de koppeling, neem contact op met Simon`,
  noCompany: 'Er is bij het inloggen geen bedrijf gekozen waarop de gebruiker de rol API User heeft',
  unknownList: (list: string) => `Lijst '${list}' bestaat niet voor ${VISMA}`,
  badCursor: (cursor: string) => `Ongeldige cursor '${cursor}' voor een Visma.net-lijst`,
  badDocumentId: (id: string) => `Onbekend Visma.net-document '${id}'`,
  wrongSettings: `Instellingen horen niet bij ${VISMA}`,
  orderTypeUnknown: (type: string) => `Ordertype '${type}' bestaat niet in ${VISMA}`,
  orderTypeInactive: (type: string) => `Ordertype '${type}' is niet actief in ${VISMA}`,
  /** Document preview (docs/preview.md): what Visma.net would refuse in the create. */
  articleGone: (code: string) => `Artikel ${code} is niet (meer) bekend of niet verkoopbaar in ${VISMA}`,
  warehouseGone: (code: string) => `Magazijn ${code} bestaat niet (meer) of is niet actief in ${VISMA}`,
};

// ---- Rompslomp ----

/**
 * The Rompslomp connector's own texts (connectors/rompslomp/, docs/providers/rompslomp.md); the "Controleer" texts of
 * the company (Gratis plan, missing rights) are in `checkErrors`.
 */
export const rompslompTexts = {
  notConnected: 'Simon is niet (meer) gekoppeld met Rompslomp',
  accessDenied: 'Rompslomp weigert de toegang',
  noCompany: 'Er is nog geen bedrijf uit Rompslomp gekozen in de instellingen',
  chooseCompany: 'Kies eerst een bedrijf uit Rompslomp: er zijn er meerdere',
  unknownList: (list: string) => `Lijst ${quoted(list)} bestaat niet voor Rompslomp`,
  badCursor: (cursor: string) => `Ongeldige cursor ${quoted(cursor)} voor een Rompslomp-lijst`,
  articleGone: (code: string) => `Artikel ${code} is niet (meer) bekend in Rompslomp`,
  /** "Controleer": the code of a settings article belongs to more than one product, so Simon cannot tell which one is meant. */
  duplicateProductCode: (code: string, count: number) =>
    `Artikelcode ${quoted(code)} komt ${count} keer voor in Rompslomp; geef elk product een eigen artikelcode en kies 'Controleer' opnieuw`,
  /** A page other than the one asked for: never read as the end of a listing (the cleanup would remove records). */
  pageMismatch: (asked: number, got: string) => `Rompslomp gaf pagina ${got} terug in plaats van pagina ${asked}`,
  /** Rompslomp refused the invoice and holds invoices under our reference that it will not show the reference of. */
  referenceUnconfirmed: (workOrderNumber: string) =>
    `Rompslomp weigert de conceptfactuur voor werkbon ${workOrderNumber} en Simon kan niet vaststellen of een eerdere poging hem al heeft aangemaakt; zoek in Rompslomp naar 'Werkbon ${workOrderNumber}' voordat je 'Opnieuw versturen' kiest`,
  /** Leads for the error types a person must act on (the API's `error.type`, docs/providers/rompslomp.md §4). */
  errorLeads: {
    'client.authorization.invalid_scope': 'Simon heeft in Rompslomp niet de benodigde rechten',
    'client.authorization.access_denied': 'Geen toegang tot dit bedrijf in Rompslomp',
    'client.quota_reached': 'Het maximum aantal API-verzoeken aan Rompslomp is bereikt',
    'client.rate_limit': 'Te veel verzoeken aan Rompslomp in korte tijd',
    'client.subscription_limit_reached': 'Het abonnement van dit bedrijf in Rompslomp staat dit niet toe',
    'client.authentication.invalid_token': 'Het toegangstoken van Rompslomp is ongeldig of verlopen',
  } as Readonly<Record<string, string>>,
} as const;

// ---- Octopus ----

/** The connector's Dutch texts (connectors/octopus/), strings for ProviderError leads and "Controleer" errors. */
export const octopusTexts = {
  wrongCredentials: 'Onjuiste gebruikersnaam of wachtwoord voor Octopus',
  missingCredentials: 'Gebruikersnaam of wachtwoord voor Octopus ontbreekt',
  noSoftwareHouse: 'De Octopus-koppeling is niet geconfigureerd (OCTOPUS_SOFTWARE_HOUSE_UUID ontbreekt)',
  noDossiers: 'Deze Octopus-gebruiker heeft geen dossiers; is de webservicemodule actief?',
  sessionRefused: 'Octopus weigert de sessie, ook na opnieuw inloggen',
  forbidden: 'Octopus weigert de toegang: recht of webservicemodule ontbreekt',
  badRequest: 'Octopus vindt het verzoek ongeldig of onvolledig',
  notFound: 'Niet gevonden in Octopus',
  journalClosed: (journal: string) => `Dagboek '${journal}' is afgesloten of in gebruik in Octopus`,
  invalidData: 'Octopus weigert de gegevens (ongeldige datum, bedrag of code)',
  noDossierChosen: 'Er is nog geen Octopus-dossier gekozen',
  noDocumentSettings: 'De instellingen voor Octopus (dossier en dagboek) ontbreken',
  noOpenBookyear: (date: string) => `Geen open boekjaar in Octopus voor ${date}`,
  noPeriod: (date: string) => `Het boekjaar in Octopus heeft geen periode voor ${date}`,
  journalUnknown: (journal: string) => `Dagboek '${journal}' bestaat niet in het boekjaar van de factuurdatum in Octopus`,
  notASalesJournal: (journal: string) => `Dagboek '${journal}' is geen verkoopdagboek (factuurdagboek) in Octopus; kies in de instellingen een dagboek dat met V begint`,
  relationUnknown: 'De klant bestaat niet (meer) in Octopus of is daar geen klant',
  unknownList: (list: string) => `Lijst '${list}' bestaat niet voor Octopus`,
  chooseDossierFirst: 'Kies eerst een dossier (parameter administration)',
  /** U1: Octopus refused a read because one of its daily limits is reached. */
  providerLimitReached: 'Octopus meldt dat de daglimiet voor dit soort verzoeken bereikt is',
  /** The planned document number holds someone else's invoice; Simon does not renumber (docs/providers/octopus.md §6). */
  numberTaken: (p: { number: string; journal: string; bookyear: string }) =>
    `factuurnummer ${p.number} in dagboek '${p.journal}' (boekjaar ${p.bookyear}), dat Simon voor deze werkbon had vastgelegd, ` +
    `is in Octopus al gebruikt door een andere factuur. Simon kiest geen ander nummer, om geen dubbele factuur te maken. ` +
    `Controleer factuur ${p.number} in Octopus: hoort die bij deze werkbon, dan is er niets meer te doen; zo niet, maak de verkoopfactuur voor deze werkbon met de hand aan in Octopus`,
  productUnknown: (code: string) => `Artikel '${code}' bestaat niet (meer) in Octopus`,
  /** Every number after the last known one is taken (invoices made by hand meanwhile): the next attempt reads the journal again. */
  noFreeNumber: (journal: string) => `Geen vrij factuurnummer gevonden in dagboek '${journal}' van Octopus; het wordt opnieuw geprobeerd`,
  badCursor: (cursor: string) => `Ongeldige cursor '${cursor}' voor een Octopus-lijst`,
  /** "Controleer": the chosen journal is not a sales journal. */
  checkNotASalesJournal: (journal: string) => `Dagboek '${journal}' is geen verkoopdagboek in Octopus; kies een dagboek dat met V begint`,
  /** The comment ("Opmerkingen") must not be empty for the e-invoice (docs/providers/octopus.md §6): the work order number. */
  commentWorkOrder: (workOrderNumber: string) => `Werkbon ${workOrderNumber}`,
} as const;

/** Octopus's endpoint classes (lib/quota.ts `octopusEndpoints`) in Dutch: what it is and what waits when it is spent. */
export function octopusEndpointText(endpoint: string): { what: string; waits: string } {
  switch (endpoint) {
    case 'dossiers':
      return { what: 'het openen van het dossier', waits: 'het synchroniseren en versturen' };
    case 'bookyears':
      return { what: 'boekjaren en dagboeken', waits: 'het versturen van werkbonnen en het controleren van het dagboek' };
    case 'relations':
      return { what: 'de volledige klantenlijst', waits: 'het volledig ophalen van klanten (eerste import en schoonmaak)' };
    case 'relations-modified':
      return { what: 'gewijzigde klanten', waits: 'het ophalen van gewijzigde klanten' };
    case 'invoices-modified':
      return { what: 'de lijst van verkoopfacturen', waits: 'het nummeren van nieuwe verkoopfacturen' };
    case 'products':
      return { what: 'de artikellijst', waits: 'het ophalen van artikelen' };
    case 'productgroups':
      return { what: 'de artikelgroepen', waits: 'het ophalen van artikelgroepen' };
    case 'search':
      return { what: 'het opzoeken van een klant of factuur', waits: 'het opzoeken van klanten en facturen, en daarmee het versturen van werkbonnen' };
    case 'invoices':
      return { what: 'het aanmaken van verkoopfacturen', waits: 'het versturen van werkbonnen' };
    default:
      return { what: `'${endpoint}'`, waits: `verzoeken voor '${endpoint}'` };
  }
}

/** Warning: the guard stopped a call because one of Octopus's daily endpoint limits is spent; it continues tomorrow. */
export const octopusEndpointLimitReached = (endpoint: string, limit: number, retryAt: string): LogText => {
  const { what, waits } = octopusEndpointText(endpoint);
  const exportsGoOn = !['dossiers', 'bookyears', 'search', 'invoices', 'invoices-modified'].includes(endpoint);
  return text(
    `Daglimiet van Octopus voor ${what} bereikt (${limit} per dag): ${waits} wacht tot ${retryAt}`,
    `Geen actie nodig: het gaat na ${retryAt} vanzelf verder${exportsGoOn ? '. Gearchiveerde werkbonnen worden wel verstuurd' : ''}`,
  );
};

/** Warning: "Nu synchroniseren" refused because it needs an Octopus endpoint whose daily limit is spent. */
export const octopusSyncNowRefusedEndpoint = (endpoint: string, limit: number, retryAt: string): LogText =>
  text(
    `'Nu synchroniseren' niet gestart: Octopus staat ${octopusEndpointText(endpoint).what} maar ${limit} keer per dag toe, en dat is vandaag al gebruikt`,
    `Probeer het na ${retryAt} opnieuw; de automatische synchronisatie van vannacht haalt de wijzigingen ook op`,
  );

// ---- Quote import, administration change, terms (issue: what a firm notices first) ----

/** Part of the save confirmation: what the quote import will import from now on (docs/quotes.md). */
export function quoteImportSentence(provider: ProviderId, options: { includeFilterWord: string } | null, baseline: boolean): string {
  if (!options) return '';
  const word = options.includeFilterWord.trim();
  const which = word ? `met ${quoted(word)} in de omschrijving` : 'zonder filterwoord (alle)';
  if (provider === 'visma-net') return `Openstaande orders ${which} uit ${providerName(provider)} worden eenmalig een werkbon in Simon.`;
  return baseline
    ? `Offertes ${which} die vanaf nu in ${providerName(provider)} worden gemaakt, worden eenmalig een werkbon in Simon; bestaande offertes niet.`
    : `Offertes ${which} uit ${providerName(provider)} worden eenmalig een werkbon in Simon.`;
}

/** Octopus says "dossier", Rompslomp and Visma.net "bedrijf" (manuals, settings screens). */
const administrationWord = (provider: ProviderId) => (provider === 'octopus' ? 'dossier' : 'bedrijf');

/** The 409 of a settings save that changes the administration without confirming it (docs/administration-change.md). */
export const administrationChangeNeedsConfirmation = (provider: ProviderId, from: string, to: string): LogText =>
  text(
    `U kiest een ander ${administrationWord(provider)} in ${providerName(provider)} (${from} → ${to}). Dat is een nieuwe activatie: de klanten, werkadressen, artikelen en artikelgroepen in Simon worden gewist en opnieuw geïmporteerd uit het nieuwe ${administrationWord(provider)}; werkbonnen die nog verstuurd moesten worden, worden aangehouden`,
    "Bevestig de wijziging (confirmAdministrationChange) of kies het oude " + administrationWord(provider),
  );

/**
 * 409 on saving settings with another Visma.net company: the token reaches only the company chosen at sign-on, so
 * the change is a deactivation and a new activation with a sign-on to the other company.
 */
export const administrationNeedsNewConnection = (provider: ProviderId, from: string, to: string): LogText =>
  text(
    `U kiest een ander ${administrationWord(provider)} in ${providerName(provider)} (${from} → ${to}). De koppeling met ${providerName(provider)} geldt alleen voor het ${administrationWord(provider)} dat bij het aanmelden is gekozen; een ander ${administrationWord(provider)} is een nieuwe activatie: de klanten, werkadressen, artikelen en artikelgroepen in Simon worden gewist en opnieuw geïmporteerd, werkbonnen die nog verstuurd moesten worden, worden aangehouden`,
    `Deactiveer de integratie, activeer haar opnieuw en kies bij het aanmelden bij ${providerName(provider)} het ${administrationWord(provider)} ${to}; of kies het oude ${administrationWord(provider)}`,
  );

/** Error: a new connection (e.g. after a revoked token) reaches another administration than the settings in force. */
export const connectedToOtherAdministration = (provider: ProviderId, expected: string, label: string | null): LogText =>
  text(
    `Koppelen met ${providerName(provider)} geweigerd: u bent aangemeld bij een ander ${administrationWord(provider)}${label ? ` (${label})` : ''} dan in de instellingen (${expected}); de bestaande koppeling blijft staan`,
    `Meld u opnieuw aan bij ${providerName(provider)} en kies ${administrationWord(provider)} ${expected}; een ander ${administrationWord(provider)} vraagt een nieuwe activatie`,
  );

export const administrationChanged = (provider: ProviderId, from: string, to: string, wiped: { customers: number; workAddresses: number; articles: number; articleGroups: number }): LogText =>
  text(
    `Ander ${administrationWord(provider)} gekozen in ${providerName(provider)} (${from} → ${to}): ${count(wiped.customers, 'klant', 'klanten')}, ${count(wiped.workAddresses, 'werkadres', 'werkadressen')}, ${count(wiped.articles, 'artikel', 'artikelen')} en ${count(wiped.articleGroups, 'artikelgroep', 'artikelgroepen')} gewist; de initiële import uit het nieuwe ${administrationWord(provider)} is gestart`,
  );

export const exportsHeldAfterAdministrationChange = (provider: ProviderId, held: number): LogText =>
  text(
    `${count(held, 'werkbon die nog verstuurd moest worden, is', 'werkbonnen die nog verstuurd moesten worden, zijn')} aangehouden omdat een ander ${administrationWord(provider)} is gekozen in ${providerName(provider)}`,
    `Controleer of ze naar het nieuwe ${administrationWord(provider)} moeten en kies dan 'Opnieuw versturen'`,
  );

/** The export's recorded reason when an administration change held it. */
export const administrationChangedHeldReason = 'aangehouden: ander administratie gekozen';

/**
 * iMuis has no field that stays off the printed document for our reference (lib/references.ts,
 * docs/providers/imuis.md): the admin is told once, at activation, what the customer will see and why.
 */
export const referencePrintedNotice = (provider: ProviderId): LogText | null =>
  provider === 'imuis'
    ? text(
        `Simon zet 'WB <werkbonnummer>' in het kenmerk (KENM) van elke verkooporder in ${providerName(provider)}: zo vindt Simon de order terug en wordt er nooit een tweede gemaakt. Het kenmerk staat op de factuur en ${providerName(provider)} koppelt er betalingen mee`,
      )
    : null;

// ------------------------------------------------------------------ the HTTP API's own answers (api/**)

/**
 * The Dutch `message` of the API's error answers, its two HTML pages and its notes in the Temporal UI (docs/api.md,
 * "Errors"); a status is the English enum value the answer also carries. The log entries the API writes are the
 * functions above (exportHeldNotActive, integrationPaused, …), the OAuth callback's sentences are oauthCallbackTexts.
 */
export const apiTexts = {
  activation: {
    notActivating: (status: string) => `De integratie wordt niet geactiveerd (status ${status}); start eerst de activatie`,
    providerUnavailable: (provider: ProviderId) => `${providers[provider].name} is in deze versie nog niet beschikbaar`,
    stillActive: 'De integratie is actief; deactiveer haar eerst om opnieuw te activeren',
    firstActivationWipesAll: (missing: readonly string[]) => `Bij de eerste activatie worden alle tabellen verplicht gewist; ontbreekt: ${missing.join(', ')}`,
    wipeFirst: 'Wis eerst de Simon data (stap 1)',
    connectFirst: 'Maak eerst de connectie met het boekhoudpakket (stap 2)',
    stepsFirst: 'Doorloop eerst de stappen wissen en koppelen',
    connectsWithOAuth: (provider: ProviderId) => `${providers[provider].name} koppel je via OAuth`,
    connectsWithCredentials: (provider: ProviderId) => `${providers[provider].name} koppel je met inloggegevens, niet via OAuth`,
    cannotConnect: (status: string) => `Koppelen kan niet bij status ${status}; start eerst de activatie`,
    connectFailed: (provider: ProviderId, providerMessage: string) => `Koppelen met ${providerName(provider)} mislukt: ${providerMessage}`,
    /** The title of the page the OAuth callback shows the admin's browser. */
    oauthPageTitle: (provider: ProviderId, connected: boolean) => `Koppelen met ${providerName(provider)} ${connected ? 'gelukt' : 'mislukt'}`,
    cannotSaveSettings: (status: string) => `Instellingen opslaan kan niet bij status ${status}`,
    termsVersionExpired: (given: string, current: string) => `Voorwaarden versie ${given} gelden niet meer; accepteer versie ${current}`,
    termsChanged: (current: string) => `De voorwaarden zijn gewijzigd (versie ${current}); lees en accepteer ze opnieuw (settings.termsVersion = '${current}')`,
    /** A step workflow (wipe, connect, "Controleer", save, pick-list) already running, or failing after its retries. */
    stepRunning: 'Deze stap loopt al; wacht tot hij klaar is',
    stepFailed: (cause: string) => `De stap is mislukt: ${cause}`,
  },
  operations: {
    chooseSyncScope: 'Kies klanten en/of artikelen',
    confirmDeactivation: 'Bevestig het deactiveren met confirm: true',
    syncNeedsActive: (status: string) => `Synchroniseren kan alleen bij een actieve integratie (status ${status})`,
    reconcileNeedsActive: (status: string) => `Controleren kan alleen bij een actieve integratie (status ${status})`,
    reconcileUnsupported: (provider: ProviderId) =>
      `De controle met ${providers[provider].name} is er (nog) niet: de koppeling kan de documenten niet op datum opvragen`,
    pauseNeedsActive: (status: string) => `Pauzeren kan alleen bij een actieve integratie (status ${status})`,
    resumeNeedsPaused: (status: string) => `Hervatten kan alleen bij een gepauzeerde integratie (status ${status})`,
    /** Also the answer of "Opnieuw versturen" and the preview when the integration is not active. */
    notActive: (status: string) => `De integratie is niet actief (status ${status})`,
    /** Notes on the tenant's Temporal schedules and runs, read in the Temporal UI. */
    pausedBy: (actor: string) => `Gepauzeerd door ${actor}`,
    resumedBy: (actor: string) => `Hervat door ${actor}`,
    syncNowRun: (scope: string) => `${scope}, nu synchroniseren`,
    reconcileNowRun: 'nu controleren',
  },
  workOrders: {
    notCompleted: (status: string) => `Alleen een gereed gemelde werkbon kan worden gearchiveerd (status ${status})`,
    noExport: 'Geen export voor deze werkbon',
    exportRunning: 'Deze werkbon wordt al verstuurd',
    retryNeedsFailedOrHeld: (state: string) => `Opnieuw versturen kan alleen bij een mislukte of vastgehouden werkbon (status ${state})`,
    previousAttemptRunning: 'De vorige poging loopt nog; probeer het zo opnieuw',
  },
  webhooks: {
    noEndpoint: 'Geen endpoint met dit id',
    backendEndpointExists: 'Er is al een endpoint voor de hele Simon-backend',
    tenantEndpointExists: (tenant: string) => `Tenant ${tenant} heeft al een endpoint`,
    noEvent: 'Geen event met dit id',
    deliveryPending: 'Dit event wordt nog afgeleverd; wacht tot dat klaar is',
    noEnabledEndpoint: 'Er is geen ingeschakeld endpoint voor deze tenant',
  },
  /** The 503 answers while Postgres or Temporal cannot be reached (api/infrastructure.ts). */
  unavailable: {
    database: 'De database is tijdelijk niet bereikbaar; probeer het zo opnieuw',
    temporal: 'Temporal is tijdelijk niet bereikbaar; probeer het zo opnieuw',
  },
  /** `GET /v1/terms`, the terms of use as a page. */
  termsPage: {
    title: (version: string) => `Voorwaarden integraties (versie ${version})`,
    heading: 'Voorwaarden tot gebruik van de integraties',
    version: (version: string) => `Versie ${version}`,
  },
} as const;

// ------------------------------------------------------------------ weekly reconciliation (tables "Werkbon", "Integratie")

/** The document as the admin finds it in the package: its number when it has one, else its id there. */
function documentLabel(provider: ProviderId, documentNumber: string | null, documentId: string | null): string {
  // Visma.net: the id says which of the two documents it is (`salesorder/…` or `customerinvoice/…`).
  const vismaType = provider === 'visma-net' && documentId ? (documentId.startsWith('customerinvoice/') ? 'invoice' : 'salesOrder') : undefined;
  const doc = documentWord(provider, vismaType);
  if (documentNumber) return `${doc} ${documentNumber}`;
  return documentId ? `${doc} (id ${documentId} in ${providerName(provider)})` : doc;
}

/** Packages whose concept leaves the concept list when it is sent, so "gone" cannot be told from "sent". */
const goneMeansNoLongerConcept: Partial<Record<ProviderId, true>> = { factuursturen: true };

/**
 * Warning: a work order that was sent has no document in the package any more (docs/reconciliation.md). Simon never
 * creates it again by itself: the firm deleted it, or (FactuurSturen) sent the concept, which Simon cannot tell apart.
 */
export const reconcileDocumentGone = (s: { provider: ProviderId; workOrderNumber: string; documentNumber: string | null; documentId: string | null }): LogText => {
  const name = providerName(s.provider);
  const doc = documentLabel(s.provider, s.documentNumber, s.documentId);
  if (goneMeansNoLongerConcept[s.provider]) {
    return text(
      `Controle: de ${doc} van werkbon ${s.workOrderNumber} staat niet meer bij de concepten in ${name} (verstuurd of verwijderd)`,
      `Controleer in ${name} of de factuur voor werkbon ${s.workOrderNumber} is verstuurd. Is het concept verwijderd en moet de werkbon toch gefactureerd worden, maak de factuur dan zelf aan in ${name}: Simon maakt hem niet opnieuw aan`,
    );
  }
  return text(
    `Controle: de ${doc} van werkbon ${s.workOrderNumber} is niet meer te vinden in ${name}`,
    `Controleer in ${name} of de ${documentWord(s.provider)} bewust is verwijderd. Moet de werkbon toch gefactureerd worden, maak de factuur dan zelf aan in ${name}: Simon maakt hem niet opnieuw aan`,
  );
};

/** Warning: two or more documents carry the reference of one work order (a double invoice). Simon deletes nothing. */
export const reconcileDuplicate = (s: { provider: ProviderId; workOrderNumber: string; documents: { documentId: string; documentNumber: string | null }[]; keep: string | null }): LogText => {
  const name = providerName(s.provider);
  const list = s.documents.map((d) => (d.documentNumber ? `${d.documentNumber} (id ${d.documentId})` : `id ${d.documentId}`)).join(', ');
  const keep = s.keep ? `houd die met id ${s.keep} (de ${documentWord(s.provider)} die Simon kent) en verwijder de andere` : 'houd er één en verwijder de andere';
  return text(
    `Controle: werkbon ${s.workOrderNumber} staat ${s.documents.length} keer als ${documentWord(s.provider)} in ${name}: ${list}`,
    `Voorkom een dubbele factuur: ${keep} in ${name}. Simon verwijdert zelf niets`,
  );
};

/** Warning: the document of a sent work order has another number in the package than Simon recorded. */
export const reconcileNumberChanged = (s: { provider: ProviderId; workOrderNumber: string; recorded: string; upstream: string }): LogText =>
  text(
    `Controle: het nummer van de ${documentWord(s.provider)} van werkbon ${s.workOrderNumber} is in ${providerName(s.provider)} gewijzigd van ${s.recorded} in ${s.upstream}`,
    `Controleer in ${providerName(s.provider)} of het nummer bewust is gewijzigd; Simon toont voortaan nummer ${s.upstream} bij de werkbon`,
  );

/**
 * Warning: an export that failed or is held has a document in the package all the same. Nothing is marked sent:
 * the admin decides. Where the package refuses a second document with our reference (Rompslomp, FactuurSturen),
 * "Opnieuw versturen" finds this one and records it instead of creating another (docs/exactly-once.md).
 */
export const reconcileExistsUnsent = (s: { provider: ProviderId; workOrderNumber: string; exportState: 'failed' | 'held'; documentNumber: string | null; documentId: string; uniqueReference: boolean }): LogText => {
  const name = providerName(s.provider);
  const doc = documentLabel(s.provider, s.documentNumber, s.documentId);
  const state = s.exportState === 'failed' ? 'is mislukt' : 'is aangehouden';
  const action = s.uniqueReference
    ? `Controleer de ${doc} in ${name}. Klopt hij, kies dan 'Opnieuw versturen' bij de werkbon: Simon vindt hem terug en maakt geen tweede aan. Klopt hij niet, verwijder hem in ${name} en kies daarna 'Opnieuw versturen'`
    : `Controleer de ${doc} in ${name}. Klopt hij, kies dan niet 'Opnieuw versturen' (dat kan een tweede maken). Klopt hij niet, verwijder hem in ${name} en kies daarna 'Opnieuw versturen'`;
  return text(`Controle: het versturen van werkbon ${s.workOrderNumber} ${state}, maar in ${name} staat er toch een ${doc} voor`, action);
};

/** Info, table "Integratie": the weekly reconciliation ran (also when it found nothing, so the admin sees it ran). */
export const reconcileCompleted = (provider: ProviderId, r: { days: number; exportsCompared: number; documentsListed: number; findings: number }): LogText =>
  r.findings === 0
    ? text(`Controle van de werkbonnen van de afgelopen ${r.days} dagen met ${providerName(provider)}: ${count(r.exportsCompared, 'werkbon', 'werkbonnen')} en ${count(r.documentsListed, 'document', 'documenten')} vergeleken, alles klopt`)
    : text(
        `Controle van de werkbonnen van de afgelopen ${r.days} dagen met ${providerName(provider)}: ${count(r.findings, 'afwijking', 'afwijkingen')} gevonden in ${count(r.exportsCompared, 'werkbon', 'werkbonnen')}`,
        "Bekijk de meldingen 'Controle: …' bij de werkbonnen (tabel Werkbon) en volg de actie die erbij staat",
      );

/** Warning, table "Integratie": the reconciliation stopped before it compared anything, to leave the quota to exports. */
export const reconcileStoppedQuota = (provider: ProviderId, retryAt: string): LogText =>
  text(
    `Controle van de werkbonnen met ${providerName(provider)} overgeslagen: de API-limiet van ${providerName(provider)} laat vandaag te weinig verzoeken over (die blijven voor het versturen van werkbonnen); er is niets vergeleken`,
    `Geen actie nodig: de controle draait volgende week weer. Wilt u eerder controleren, start de controle dan na ${retryAt} opnieuw`,
  );

/** Error, table "Integratie": the package's listing failed after every retry; nothing was compared. */
export const reconcileFailed = (provider: ProviderId, providerMessage: string | null): LogText =>
  text(
    withProviderMessage(`Controle van de werkbonnen met ${providerName(provider)} mislukt; er is niets vergeleken`, providerMessage),
    `Geen actie nodig als dit eenmalig is: de controle draait elke week. Blijft deze melding terugkomen, controleer dan de koppeling met ${providerName(provider)}`,
  );

// ================================================================== connectors: their remaining texts (connectors/**)
// What the connectors still wrote inline (issue 12), kept in this one block; the connectors' older texts are in the
// sections under "texts the connectors share" above.

/** Words the connectors put into what they make: the document's description, a record without a name. */
export const connectorWords = {
  /** The description (or comment) of a document: the work order it comes from (Visma.net, Rompslomp). */
  workOrder: (workOrderNumber: string) => `Werkbon ${workOrderNumber}`,
  /** The name of a customer the package has no name for (FactuurSturen, Rompslomp, Visma.net). */
  unnamedCustomer: (number: string) => `Klant ${number}`,
};

/** What a connector says about an answer, where the package said nothing of its own. */
export const connectorAnswerTexts = {
  /** The HTTP client (connectors/http.ts): a request without an answer within its timeout. */
  noAnswerWithin: (seconds: string) => `geen antwoord binnen ${seconds} s`,
  /** A rate-limit header the answer did not carry (FactuurSturen's 403). */
  headerMissing: 'ontbreekt',
  /** Visma.net's window is used up: when the next call may go. */
  windowUsedUp: (seconds: number) => `X-RateLimit-Remaining: 0, opnieuw over ${seconds} s`,
};

/** The OAuth2 token calls (connectors/oauth.ts); `p` is the package's name. */
export const oauthTokenTexts = {
  codeRejected: (p: string) => `${p} accepteert de autorisatiecode niet (verlopen of al gebruikt); koppel opnieuw`,
  grantRevoked: (p: string) => `De toegang van Simon tot ${p} is ingetrokken of verlopen`,
  noRefreshToken: (p: string) => `${p} gaf geen refresh token; de toegang kan niet worden verlengd`,
  clientRejected: (p: string) => `${p} kent de app van Simon niet (client id of secret onjuist)`,
  noAccessToken: (p: string) => `${p} gaf geen bruikbaar toegangstoken terug`,
  untrusted: (p: string) => `Simon vertrouwt het antwoord van ${p} op de tokenaanvraag niet`,
  insecureEndpoint: (p: string) => `Het tokenadres van ${p} moet https gebruiken; Simon stuurt de app-gegevens niet onversleuteld`,
};

/** iMuis's XML and values (connectors/imuis/xml.ts, protocol.ts, mappers.ts): what an answer or a value lacks. */
export const imuisWireTexts = {
  doctypeRefused: 'DOCTYPE is niet toegestaan',
  notOneRoot: 'Geen of meer dan één hoofdelement',
  notANumber: (value: number) => `Geen getal: ${value}`,
  notADate: (value: string) => `Geen datum: ${value}`,
  notAPrice: (value: string) => `Geen prijs: ${value}`,
  /** iMuis reported an error without saying which. */
  unknownError: 'onbekende fout',
};
