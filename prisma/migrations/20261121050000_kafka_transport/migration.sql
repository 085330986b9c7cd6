-- AlterTable
ALTER TABLE "node_stats" ADD COLUMN     "lag" BIGINT,
ADD COLUMN     "partition_lag" JSONB;

-- CreateTable
CREATE TABLE "kafka_edge_topics" (
    "topic" TEXT NOT NULL,
    "flow_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kafka_edge_topics_pkey" PRIMARY KEY ("topic")
);

-- CreateIndex
CREATE INDEX "kafka_edge_topics_flow_id_idx" ON "kafka_edge_topics"("flow_id");
