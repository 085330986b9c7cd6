export * from "./definitions";
export * from "./plugin";
export { sourcePlugins, sinkPlugins, findSource, findSink } from "./registry";
export type { RegisteredSource, RegisteredSink } from "./registry";
export { recordsFromBody } from "./http-ingest/parse";
export { renderTemplate } from "./generator/template";
