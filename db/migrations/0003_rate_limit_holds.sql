CREATE TABLE "integration"."rate_limit_holds" (
	"tenant_id" text NOT NULL,
	"provider" text NOT NULL,
	"until" timestamp with time zone NOT NULL,
	CONSTRAINT "rate_limit_holds_tenant_id_provider_pk" PRIMARY KEY("tenant_id","provider")
);
