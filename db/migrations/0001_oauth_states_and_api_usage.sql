CREATE TABLE "integration"."api_usage" (
	"tenant_id" text NOT NULL,
	"provider" text NOT NULL,
	"window" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "api_usage_tenant_id_provider_window_window_start_pk" PRIMARY KEY("tenant_id","provider","window","window_start")
);
--> statement-breakpoint
CREATE TABLE "integration"."oauth_states" (
	"state" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"provider" text NOT NULL,
	"redirect_uri" text NOT NULL,
	"code_verifier" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "oauth_states_tenant" ON "integration"."oauth_states" USING btree ("tenant_id");