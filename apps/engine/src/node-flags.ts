/**
 * Node flags the engine process runs with; every launcher (npm start, tests) uses this list.
 * - `--no-node-snapshot`: isolated-vm (the JS function sandbox) requires it (isolates built next to
 *   Node's startup snapshot can crash the process).
 * - `--max-semi-space-size=16`: a larger young generation for the function isolates, which
 *   allocate short-lived objects for every record; measured in `npm run bench` at about
 *   +30% throughput for 335-byte JSON transforms.
 * The engine's package.json `start` script and the root `bench` script repeat them.
 */
export const ENGINE_NODE_FLAGS: readonly string[] = ["--no-node-snapshot", "--max-semi-space-size=16"];
