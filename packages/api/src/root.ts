import { artifactsRouter } from "./router/artifacts";
import { connectionsRouter } from "./router/connections";
import { deadLettersRouter } from "./router/dead-letters";
import { deploymentRouter } from "./router/deployment";
import { engineRouter } from "./router/engine";
import { flowRouter } from "./router/flow";
import { functionsRouter } from "./router/functions";
import { logsRouter } from "./router/logs";
import { nodeTypesRouter } from "./router/node-types";
import { secretsRouter } from "./router/secrets";
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
  secrets: secretsRouter,
  connections: connectionsRouter,
  functions: functionsRouter,
  artifacts: artifactsRouter,
});

export type AppRouter = typeof appRouter;
