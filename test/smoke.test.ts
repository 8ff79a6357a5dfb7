import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Connection, Client } from '@temporalio/client';
import { freshDatabase } from './helpers/db.js';

describe('test stack', () => {
  it('has a migrated Postgres with both schemas', async () => {
    const { database } = await freshDatabase('smoke');
    const rows = await database.sql`select table_schema, count(*)::int as n from information_schema.tables where table_schema in ('simon','integration') group by 1 order by 1`;
    expect(rows.map((r) => [r.table_schema, r.n])).toEqual([['integration', 10], ['simon', 8]]);
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
