import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isArchivable, workOrderSnapshotSchema, type WorkOrderSnapshot } from '../../lib/work-order.js';

const valid: WorkOrderSnapshot = {
  number: '1043',
  status: 'completed',
  customerId: '11111111-1111-4111-8111-111111111111',
  workAddressId: null,
  description: 'Lekkage verholpen',
  customerReference: null,
  assignedUserId: 'user-1',
  workMinutes: 120,
  travelMinutes: 15,
  materials: [{ articleId: '33333333-3333-4333-8333-333333333333', quantity: 2, price: 12.5 }],
  workOrderPdf: 'https://files.simon.example/wo/1043.pdf',
  archivedAt: '2024-05-01T10:00:00Z',
};

function issuesOf(input: unknown) {
  const result = workOrderSnapshotSchema.safeParse(input);
  expect(result.success).toBe(false);
  return result.error!.issues.map((i) => i.path.join('.'));
}

describe('work order snapshot schema', () => {
  it('accepts a valid snapshot, with optional fields left out', () => {
    expect(workOrderSnapshotSchema.parse(valid)).toEqual(valid);
    const { workOrderPdf, archivedAt, ...minimal } = valid;
    void workOrderPdf;
    void archivedAt;
    expect(workOrderSnapshotSchema.safeParse({ ...minimal, materials: [{ articleId: null, description: null, quantity: 0.5, price: null }] }).success).toBe(true);
    expect(workOrderSnapshotSchema.safeParse({ ...valid, archivedAt: '2024-05-01T12:00:00.123+02:00', formsPdf: null }).success).toBe(true);
  });

  it('rejects bad input and names the field', () => {
    expect(issuesOf({ ...valid, number: '' })).toEqual(['number']);
    expect(issuesOf({ ...valid, status: 'done' })).toEqual(['status']);
    expect(issuesOf({ ...valid, customerId: 'klant-1' })).toEqual(['customerId']);
    expect(issuesOf({ ...valid, workMinutes: -1 })).toEqual(['workMinutes']);
    expect(issuesOf({ ...valid, travelMinutes: 1.5 })).toEqual(['travelMinutes']);
    expect(issuesOf({ ...valid, materials: [{ articleId: null, quantity: 0, price: null }] })).toEqual(['materials.0.quantity']);
    expect(issuesOf({ ...valid, materials: [valid.materials[0], { articleId: 'x', quantity: 1, price: 'duur' }] })).toEqual([
      'materials.1.articleId',
      'materials.1.price',
    ]);
    expect(issuesOf({ ...valid, archivedAt: 'gisteren' })).toEqual(['archivedAt']);
    expect(issuesOf({ ...valid, description: undefined })).toEqual(['description']);
  });

  it('has OpenAPI descriptions', () => {
    const json = z.toJSONSchema(workOrderSnapshotSchema) as { properties: Record<string, { description?: string }> };
    for (const field of ['number', 'status', 'customerId', 'workMinutes', 'materials', 'workOrderPdf']) {
      expect(json.properties[field].description, field).toBeTruthy();
    }
  });

  it('only completed (or already archived) work orders can be archived', () => {
    expect(isArchivable('completed')).toBe(true);
    expect(isArchivable('archived')).toBe(true);
    expect(isArchivable('open')).toBe(false);
    expect(isArchivable('planned')).toBe(false);
  });
});
