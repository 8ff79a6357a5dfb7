ALTER TABLE "integration"."document_exports" ADD COLUMN "create_started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "integration"."document_exports" ADD COLUMN "in_doubt_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "integration"."document_exports" ADD COLUMN "document_plan" jsonb;--> statement-breakpoint
ALTER TABLE "integration"."imported_quotes" ADD COLUMN "kind" text DEFAULT 'quote' NOT NULL;--> statement-breakpoint
ALTER TABLE "integration"."imported_quotes" ADD COLUMN "number" text;--> statement-breakpoint
-- Work orders made from a Visma.net sales order before this column existed (ids `SO/<number>`).
UPDATE "integration"."imported_quotes" SET "kind" = 'salesOrder', "number" = substring("quote_id" from 4) WHERE "provider" = 'visma-net' AND "quote_id" LIKE 'SO/%';
