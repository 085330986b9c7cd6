// The baseline of `npm run bench:engine-start`: loads, before the engine, the libraries the engine
// now loads on first use (Kafka's second client, jco, the OTLP exporter), as every start did.
await import("@platformatic/kafka");
await import("@bytecodealliance/jco");
await import("@opentelemetry/exporter-trace-otlp-http");
await import("@opentelemetry/resources");
