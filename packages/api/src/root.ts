import { deadLettersRouter } from "./router/dead-letters";
import { deploymentRouter } from "./router/deployment";
import { engineRouter } from "./router/engine";
import { flowRouter } from "./router/flow";
import { logsRouter } from "./router/logs";
import { nodeTypesRouter } from "./router/node-types";
import { statsRouter } from "./router/stats";
import { createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  flow: flowRouter,
  deployment: deploymentRouter,
  stats: statsRouter,
  logs: logsRouter,
  deadLetters: deadLettersRouter,
  engine: engineRouter,
  nodeTypes: nodeTypesRouter,
});

export type AppRouter = typeof appRouter;
