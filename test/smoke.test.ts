import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Connection, Client } from '@temporalio/client';
import { freshDatabase } from './helpers/db.js';

describe('test stack', () => {
  it('has a migrated Postgres with both schemas', async () => {
    const { database } = await freshDatabase('smoke');
    const rows = await database.sql`select table_schema, table_name from information_schema.tables where table_schema in ('simon','integration') order by 1, 2`;
    const names = rows.map((r) => `${r.table_schema}.${r.table_name}`);
    expect(names).toEqual(expect.arrayContaining([
      'integration.integrations', 'integration.credentials', 'integration.settings_versions', 'integration.sync_state', 'integration.external_refs',
      'integration.imported_quotes', 'integration.document_exports', 'integration.log_entries', 'integration.rate_limit_holds',
      'simon.article_groups', 'simon.articles', 'simon.customers', 'simon.work_addresses', 'simon.work_orders', 'simon.objects', 'simon.contact_persons',
    ]));
    expect(names.filter((n) => n.startsWith('simon.'))).toHaveLength(8);
    await database.close();
  });

  it('reaches a Temporal server with our search attributes', async () => {
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    const res = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    expect(Object.keys(res.customAttributes)).toEqual(expect.arrayContaining(['TenantId', 'Provider', 'WorkOrderId']));
    await connection.close();
    void Client;
  });
});
