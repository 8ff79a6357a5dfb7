import { describe, expect, it } from 'vitest';
import * as m from '../../lib/messages.js';
import { providerIds } from '../../lib/providers.js';

describe('integration log texts', () => {
  it('keeps the manuals wording', () => {
    expect(m.customerAdded()).toEqual({ message: 'Klant toegevoegd aan Simon', action: 'Geen Aktie Nodig' });
    expect(m.customerChanged().message).toBe('Klant gewijzigd in Simon');
    expect(m.workAddressAdded()).toEqual({ message: 'Toevoegen Werkadres in Simon gelukt', action: m.NO_ACTION });
    expect(m.articleAdded()).toEqual({ message: 'Toevoegen Artikel in Simon is gelukt', action: m.NO_ACTION });
  });

  it('names the provider and its document', () => {
    expect(m.exportSent({ provider: 'factuursturen', workOrderNumber: '1043', documentNumber: '2024-0012' }).message).toBe(
      'Conceptfactuur 2024-0012 aangemaakt in FactuurSturen voor werkbon 1043',
    );
    expect(m.exportSent({ provider: 'octopus', workOrderNumber: '1', documentNumber: null }).message).toBe('Verkoopfactuur aangemaakt in Octopus voor werkbon 1');
    expect(m.exportSent({ provider: 'visma-net', workOrderNumber: '1', documentNumber: 'SO1', documentType: 'salesOrder' }).message).toContain('Verkooporder SO1');
    expect(m.exportNoCustomer({ provider: 'octopus', workOrderNumber: '7' }).action).toBe("Koppel een klant uit Octopus aan de werkbon en kies 'Opnieuw versturen'");
  });

  it('tells to press "Opnieuw versturen", never to archive again', () => {
    const s = { provider: 'imuis' as const, workOrderNumber: '9' };
    const failures = [
      m.exportNoCustomer(s),
      m.exportCustomerNotSynced({ ...s, customerName: 'X' }),
      m.exportWorkAddressOtherCustomer({ ...s, address: 'Straat 1' }),
      m.exportArticleNotSynced({ ...s, role: 'material', article: { code: 'A', description: 'B' } }),
      m.exportArticleNotSynced({ ...s, role: 'material', article: null, lineDescription: 'los' }),
      m.exportArticleNotSynced({ ...s, role: 'work-time', article: { code: 'UUR', description: '' } }),
      m.exportRejected({ ...s, providerMessage: 'Debiteur geblokkeerd' }),
      m.exportUnavailable({ ...s, providerMessage: null }),
      m.exportHeldNotActive(s),
    ];
    for (const f of failures) {
      expect(f.action).toContain("'Opnieuw versturen'");
      expect(f.action.toLowerCase()).not.toContain('archiveer');
    }
    expect(m.exportRejected({ ...s, providerMessage: 'Debiteur geblokkeerd' }).message).toContain(': Debiteur geblokkeerd');
    expect(m.exportHeldNotActive(s).message).toContain('integratie niet actief');
  });

  it('info entries need no action', () => {
    expect(m.exportSkippedExcludeWord({ provider: 'rompslomp', workOrderNumber: '3', word: 'garantie' })).toEqual({
      message: "Werkbon 3 niet naar Rompslomp gestuurd: de werkomschrijving bevat het filterwoord 'garantie'",
      action: m.NO_ACTION,
    });
    expect(m.initialImportFinished('imuis', { articleGroups: 1, articles: 20, customers: 3, workAddresses: 4 }).message).toBe(
      'Eerste import uit iMuis voltooid: 1 artikelgroep, 20 artikelen, 3 klanten, 4 werkadressen',
    );
    // One scope's run names only what it imported.
    expect(m.initialImportFinished('factuursturen', { customers: 150 }).message).toBe('Eerste import uit FactuurSturen voltooid: 150 klanten');
    expect(m.initialImportFinished('octopus', { articleGroups: 3, articles: 1 }).message).toBe('Eerste import uit Octopus voltooid: 3 artikelgroepen, 1 artikel');
    expect(m.wipeDone('Klant', 12)).toEqual({ message: 'Tabel Klant leeggemaakt: 12 rijen verwijderd', action: m.NO_ACTION });
  });

  it('states the cadence truthfully on save (docs/settings.md)', () => {
    for (const p of providerIds) {
      const { message } = m.settingsSaved(p);
      expect(message.startsWith('Integratie succesvol! De synchronisatie wordt op de achtergrond gestart.')).toBe(true);
      if (p === 'octopus' || p === 'rompslomp') {
        expect(message).toContain('één keer per dag');
        expect(message).not.toContain('5 minuten');
      } else {
        expect(message).toContain('elke 5 minuten');
      }
    }
  });

  it('includes the provider message when there is one', () => {
    expect(m.syncFailed('octopus', 'customers', 'Token expired').message).toBe('Synchroniseren van klanten met Octopus mislukt: Token expired');
    expect(m.connectFailed('factuursturen', ' ').message).toBe('Koppelen met FactuurSturen mislukt');
  });
});
