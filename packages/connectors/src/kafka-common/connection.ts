// Turns a node's `brokers` or `connection` into the connection the client builder takes.
import type { ConnectorContext } from "../plugin";
import { kafkaConnectionSchema } from "./schema";
import type { KafkaConnection } from "./schema";

export async function resolveKafkaConnection(
  config: { brokers?: readonly string[] | undefined; connection?: string | undefined },
  ctx: ConnectorContext,
): Promise<KafkaConnection> {
  const name = config.connection;
  if (name === undefined) return { brokers: [...(config.brokers ?? [])], ssl: false };
  if (!ctx.connection) throw new Error(`connection profile '${name}': this engine cannot resolve profiles`);
  const parsed = kafkaConnectionSchema.safeParse(await ctx.connection(name, "kafka"));
  if (!parsed.success) {
    // Paths and messages only: zod's messages never carry the values, so no secret is echoed.
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`connection profile '${name}' is invalid: ${issues.join("; ")}`);
  }
  return parsed.data;
}
