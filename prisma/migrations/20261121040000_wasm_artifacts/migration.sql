-- CreateTable
CREATE TABLE "wasm_artifacts" (
    "sha256" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "bytes" BYTEA NOT NULL,
    "size" INTEGER NOT NULL,
    "world" TEXT NOT NULL,
    "metadata" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "wasm_artifacts_pkey" PRIMARY KEY ("sha256")
);
