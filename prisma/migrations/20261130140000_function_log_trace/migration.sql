-- A ctx.log line keeps the trace id of the record that was being processed when it was written
-- (only a sampled one: the editor opens that trace from the line). Null for load and init lines,
-- untraced records and lines written before this column.
ALTER TABLE "function_logs" ADD COLUMN "trace_id" TEXT;
