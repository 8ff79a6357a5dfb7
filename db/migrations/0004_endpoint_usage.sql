CREATE TABLE "integration"."api_endpoint_usage" (
	"tenant_id" text NOT NULL,
	"provider" text NOT NULL,
	"endpoint" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "api_endpoint_usage_tenant_id_provider_endpoint_window_start_pk" PRIMARY KEY("tenant_id","provider","endpoint","window_start")
);
