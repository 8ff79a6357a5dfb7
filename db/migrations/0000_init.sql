CREATE SCHEMA "integration";
--> statement-breakpoint
CREATE SCHEMA "simon";
--> statement-breakpoint
CREATE TABLE "simon"."article_groups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"code" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"external_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"simon_mutated_at" timestamp with time zone,
	"integration_updated_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "simon"."articles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"code" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"sales_price" numeric(14, 4),
	"unit" text,
	"group_external_id" text,
	"group_id" uuid,
	"active" boolean DEFAULT true NOT NULL,
	"external_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"simon_mutated_at" timestamp with time zone,
	"integration_updated_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "simon"."contact_persons" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"customer_id" uuid,
	"name" text NOT NULL,
	"email" text,
	"phone" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"simon_mutated_at" timestamp with time zone,
	"integration_updated_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "integration"."credentials" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"sealed" text,
	"pending_sealed" text,
	"label" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "simon"."customers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"number" text,
	"name" text NOT NULL,
	"street" text,
	"postal_code" text,
	"city" text,
	"country" text,
	"email" text,
	"phone" text,
	"active" boolean DEFAULT true NOT NULL,
	"external_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"simon_mutated_at" timestamp with time zone,
	"integration_updated_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "integration"."document_exports" (
	"id" serial PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"work_order_id" text NOT NULL,
	"provider" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"reference" text NOT NULL,
	"document_id" text,
	"document_number" text,
	"settings_version_id" integer,
	"error_code" text,
	"error_message" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"archived_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone,
	"workflow_id" text,
	"run_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "integration"."external_refs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"provider" text NOT NULL,
	"entity" text NOT NULL,
	"external_id" text NOT NULL,
	"simon_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "integration"."imported_quotes" (
	"tenant_id" text NOT NULL,
	"provider" text NOT NULL,
	"quote_id" text NOT NULL,
	"work_order_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "imported_quotes_tenant_id_provider_quote_id_pk" PRIMARY KEY("tenant_id","provider","quote_id")
);
--> statement-breakpoint
CREATE TABLE "integration"."integrations" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"status" text DEFAULT 'not_activated' NOT NULL,
	"steps" jsonb DEFAULT '{"wiped":false,"connected":false,"settingsChecked":false,"saved":false}'::jsonb NOT NULL,
	"activations" integer DEFAULT 0 NOT NULL,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"terms_accepted_by" text,
	"terms_accepted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "integration"."log_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"severity" text NOT NULL,
	"table_name" text NOT NULL,
	"message" text NOT NULL,
	"action" text NOT NULL,
	"simon_id" text,
	"provider_id" text,
	"workflow_id" text,
	"run_id" text
);
--> statement-breakpoint
CREATE TABLE "simon"."objects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"customer_id" uuid,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"simon_mutated_at" timestamp with time zone,
	"integration_updated_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "integration"."settings_versions" (
	"id" serial PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"provider" text NOT NULL,
	"version" integer NOT NULL,
	"settings" jsonb NOT NULL,
	"effective_from" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text,
	"request_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "integration"."sync_state" (
	"tenant_id" text NOT NULL,
	"entity" text NOT NULL,
	"cursor" text,
	"phase" text DEFAULT 'initial' NOT NULL,
	"records_done" integer DEFAULT 0 NOT NULL,
	"records_total" integer,
	"last_run_started_at" timestamp with time zone,
	"last_success_at" timestamp with time zone,
	"last_error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_state_tenant_id_entity_pk" PRIMARY KEY("tenant_id","entity")
);
--> statement-breakpoint
CREATE TABLE "simon"."work_addresses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"customer_id" uuid NOT NULL,
	"name" text,
	"street" text,
	"postal_code" text,
	"city" text,
	"country" text,
	"active" boolean DEFAULT true NOT NULL,
	"external_id" text,
	"origin" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"simon_mutated_at" timestamp with time zone,
	"integration_updated_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "simon"."work_order_materials" (
	"id" serial PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"work_order_id" text NOT NULL,
	"position" integer NOT NULL,
	"article_id" uuid,
	"description" text,
	"quantity" numeric(14, 4) NOT NULL,
	"price" numeric(14, 4)
);
--> statement-breakpoint
CREATE TABLE "simon"."work_orders" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"number" text NOT NULL,
	"customer_id" uuid,
	"work_address_id" uuid,
	"description" text DEFAULT '' NOT NULL,
	"customer_reference" text,
	"status" text NOT NULL,
	"assigned_user_id" text,
	"source" text DEFAULT 'simon' NOT NULL,
	"source_quote_id" text,
	"work_minutes" integer DEFAULT 0 NOT NULL,
	"travel_minutes" integer DEFAULT 0 NOT NULL,
	"work_order_pdf" text,
	"forms_pdf" text,
	"notes" text,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"simon_mutated_at" timestamp with time zone,
	"integration_updated_at" timestamp with time zone,
	CONSTRAINT "work_orders_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "simon"."articles" ADD CONSTRAINT "articles_group_id_article_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "simon"."article_groups"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "simon"."work_addresses" ADD CONSTRAINT "work_addresses_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "simon"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "article_groups_tenant_external" ON "simon"."article_groups" USING btree ("tenant_id","external_id");--> statement-breakpoint
CREATE INDEX "article_groups_tenant" ON "simon"."article_groups" USING btree ("tenant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "articles_tenant_external" ON "simon"."articles" USING btree ("tenant_id","external_id");--> statement-breakpoint
CREATE INDEX "articles_tenant_code" ON "simon"."articles" USING btree ("tenant_id","code");--> statement-breakpoint
CREATE INDEX "contact_persons_tenant" ON "simon"."contact_persons" USING btree ("tenant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "customers_tenant_external" ON "simon"."customers" USING btree ("tenant_id","external_id");--> statement-breakpoint
CREATE INDEX "customers_tenant" ON "simon"."customers" USING btree ("tenant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "document_exports_work_order" ON "integration"."document_exports" USING btree ("tenant_id","work_order_id");--> statement-breakpoint
CREATE INDEX "document_exports_state" ON "integration"."document_exports" USING btree ("tenant_id","state");--> statement-breakpoint
CREATE UNIQUE INDEX "external_refs_unique" ON "integration"."external_refs" USING btree ("tenant_id","provider","entity","external_id");--> statement-breakpoint
CREATE INDEX "log_entries_tenant_time" ON "integration"."log_entries" USING btree ("tenant_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "log_entries_tenant_severity_time" ON "integration"."log_entries" USING btree ("tenant_id","severity","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "log_entries_tenant_table_time" ON "integration"."log_entries" USING btree ("tenant_id","table_name","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "objects_tenant" ON "simon"."objects" USING btree ("tenant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "settings_versions_request" ON "integration"."settings_versions" USING btree ("request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "settings_versions_tenant_version" ON "integration"."settings_versions" USING btree ("tenant_id","version");--> statement-breakpoint
CREATE INDEX "settings_versions_effective" ON "integration"."settings_versions" USING btree ("tenant_id","effective_from");--> statement-breakpoint
CREATE UNIQUE INDEX "work_addresses_tenant_external" ON "simon"."work_addresses" USING btree ("tenant_id","external_id");--> statement-breakpoint
CREATE INDEX "work_addresses_customer" ON "simon"."work_addresses" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "work_order_materials_wo" ON "simon"."work_order_materials" USING btree ("tenant_id","work_order_id");