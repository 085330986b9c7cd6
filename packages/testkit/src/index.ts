// @weir/testkit: real infrastructure for integration tests.
export { startTestPostgres, createEmptyDatabase, type PostgresHandle } from "./postgres";
export { startKafka, type KafkaHandle } from "./kafka";
export { startApicurio, type ApicurioHandle } from "./apicurio";
