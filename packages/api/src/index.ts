// @weir/api: the tRPC API the editor and scripts use. The web app mounts it; it never runs user
// code and never talks to an engine: it writes desired state to Postgres and reads what engines report.
import { appRouter } from "./root";
import { createCallerFactory } from "./trpc";

export { appRouter, type AppRouter } from "./root";
export { createContext, type Context } from "./trpc";
export { FlowValidationError, type ProblemView } from "./errors";

/** Calls procedures in-process, e.g. from a server component: `createCaller({ db }).flow.list()`. */
export const createCaller = createCallerFactory(appRouter);
