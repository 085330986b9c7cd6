-- AlterTable
ALTER TABLE "node_stats" ADD COLUMN     "metrics" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "dead_letters" ADD COLUMN     "replay_requested_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "function_state" (
    "flow_id" UUID NOT NULL,
    "node_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "function_state_pkey" PRIMARY KEY ("flow_id","node_id","key")
);

-- CreateTable
CREATE TABLE "function_logs" (
    "id" BIGSERIAL NOT NULL,
    "flow_id" UUID NOT NULL,
    "deployment_id" UUID NOT NULL,
    "node_id" TEXT NOT NULL,
    "instance" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "function_logs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "secrets" (
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "secrets_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE INDEX "function_logs_flow_id_node_id_id_idx" ON "function_logs"("flow_id", "node_id", "id");
