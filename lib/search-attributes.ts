import { defineSearchAttributeKey } from '@temporalio/common';

/** Custom search attributes every run carries, so support can filter the Temporal UI by tenant (docs/workflows.md). No PII in them. */
export const TenantIdKey = defineSearchAttributeKey('TenantId', 'KEYWORD');
export const ProviderKey = defineSearchAttributeKey('Provider', 'KEYWORD');
export const WorkOrderIdKey = defineSearchAttributeKey('WorkOrderId', 'KEYWORD');

export const searchAttributeDefinitions = { TenantId: 'KEYWORD', Provider: 'KEYWORD', WorkOrderId: 'KEYWORD' } as const;
