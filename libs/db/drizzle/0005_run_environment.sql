ALTER TABLE "eval_results" ADD COLUMN "environment" jsonb;--> statement-breakpoint
ALTER TABLE "eval_results" ADD COLUMN "environment_key" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "environment" jsonb;