-- Every engine asks twice a second which dead letters of its running flows wait for a replay
-- (apps/engine src/replay-poller.ts). Without this index Postgres walked every dead letter those
-- flows ever had to find the few requested: 200,000 of them over 100 running flows made each
-- poll 63–115 ms of Postgres time; with it the poll reads only the waiting rows (0.03–0.05 ms).
-- Prisma's schema cannot state a partial index, so it lives here only (see schema.prisma).
CREATE INDEX "dead_letters_replay_pending_idx" ON "dead_letters" ("id")
WHERE "replay_requested_at" IS NOT NULL AND "replayed_at" IS NULL;
