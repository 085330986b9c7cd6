// @weir/api: the tRPC API the editor and scripts use. The web app mounts it; it never runs user
// code: it writes desired state to Postgres and reads what engines report (functions.trigger alone
// asks a live engine over HTTP to run code now).
import { appRouter } from "./root";
import { createCallerFactory } from "./trpc";

export { appRouter, type AppRouter } from "./root";
export { createContext, type Context } from "./trpc";
export { recordAudit, recordSignIn } from "./audit";
export { FlowValidationError, type ProblemView } from "./errors";
export { handleArtifactUpload } from "./artifact-route";
export { DEFAULT_HTTP_LIMITS, handleApiRequest, type HttpLimits } from "./http-handler";
export { handleRestRequest, type RestHandlerOptions } from "./rest/handler";
export { openApiDocument } from "./rest/openapi";
export { REST_ROUTES, type RestRoute } from "./rest/routes";
export { MAX_ARTIFACT_BYTES, type ArtifactView } from "./artifacts";
export type { HistogramSummary, NodeAccounting, NodeMetrics, NodeStatsView } from "./node-stats";
export type { TriggerLogLine, TriggerResult } from "./router/functions";
export type { VersionSummary } from "./version-summary";

/** Calls procedures in-process, e.g. from a server component: `createCaller({ db }).flow.list()`. */
export const createCaller = createCallerFactory(appRouter);
