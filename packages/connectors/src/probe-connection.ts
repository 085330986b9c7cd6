// "Test connection" for any kind of profile: validates the stored profile (config and secrets
// merged) with its kind's schema, then runs that kind's probe.
import { kafkaConnectionSchema } from "./kafka-common/schema";
import { probeKafka } from "./kafka-common/probe";
import type { KafkaProbeResult } from "./kafka-common/probe";
import { registryConnectionSchema } from "./schema-registry/schema";
import { probeRegistry } from "./schema-registry/probe";
import type { RegistryProbeResult } from "./schema-registry/probe";

export type ConnectionProbeResult = KafkaProbeResult | RegistryProbeResult;

export async function probeConnection(
  kind: string,
  profile: unknown,
  options: { timeoutMs: number },
): Promise<ConnectionProbeResult> {
  const invalid = {
    ok: false as const,
    failure: "other" as const,
    message: `the stored profile is not a valid ${kind} connection: save it again`,
    ms: 0,
  };
  switch (kind) {
    case "kafka": {
      const parsed = kafkaConnectionSchema.safeParse(profile);
      return parsed.success ? probeKafka(parsed.data, options) : invalid;
    }
    case "schema-registry": {
      const parsed = registryConnectionSchema.safeParse(profile);
      return parsed.success ? probeRegistry(parsed.data, options) : invalid;
    }
    default:
      return { ...invalid, message: `no test for connection kind '${kind}'` };
  }
}
