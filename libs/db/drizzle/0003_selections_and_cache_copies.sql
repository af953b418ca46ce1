CREATE TABLE "dataset_selections" (
	"selection_hash" text NOT NULL,
	"content_hash" text NOT NULL,
	"selection" text NOT NULL,
	"selection_key" text NOT NULL,
	"n_real" integer NOT NULL,
	"n_fake" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "eval_results_cache_key_uq";--> statement-breakpoint
CREATE UNIQUE INDEX "dataset_selections_content_selection_uq" ON "dataset_selections" USING btree ("content_hash","selection");--> statement-breakpoint
CREATE INDEX "eval_results_cache_key_idx" ON "eval_results" USING btree ("checkpoint_sha256","manifest_hash","perturbation","preprocess_hash","code_version");