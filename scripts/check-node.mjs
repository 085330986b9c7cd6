// Runs first in `npm start`, `npm run dev` and `npm test`, under whatever Node the user has, so an
// unsupported Node gets one clear sentence instead of a stack trace from deep inside a dependency
// (isolated-vm 7, the JS sandbox, has no build for Node < 24). Plain JavaScript on purpose.
import { readFileSync } from "node:fs";

const wanted = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).engines.node;
const minimum = Number(/(\d+)/.exec(wanted)[1]);
const major = Number(process.versions.node.split(".")[0]);
if (major < minimum) {
  process.stderr.write(
    `Weir needs Node.js ${minimum} or later (package.json engines: "${wanted}"); this is Node ${process.versions.node}.\n` +
      `Install Node.js ${minimum} LTS (https://nodejs.org), or fetch it from the npm registry with\n` +
      `  export PATH="$(bash scripts/node24.sh):$PATH"\n` +
      `then run \`npm ci\` again (native modules are built for one Node version).\n`,
  );
  process.exit(1);
}
