// Config pieces shared by the Kafka definitions; zod only, so definitions stay browser-safe.
import { z } from "zod";

/** `host:port`, the form every Kafka client takes a bootstrap broker in. */
export const brokerAddressSchema = z
  .string()
  .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, "a broker is host:port, e.g. kafka-1:9092");

export const brokerListSchema = z.array(brokerAddressSchema).min(1, "at least one broker is needed");

/** Kafka's own limits on topic names. */
export const topicNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,249}$/, "a topic name is 1-249 letters, digits, '.', '_' or '-'");
