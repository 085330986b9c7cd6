/**
 * Node flags the engine process runs with; every launcher (npm start, tests) uses this list.
 * - `--no-node-snapshot`: isolated-vm (the JS function sandbox) requires it (isolates built next to
 *   Node's startup snapshot can crash the process).
 * - `--max-semi-space-size=16`: a larger young generation for the engine's own heap, which
 *   parses and encodes every record's JSON. It does not reach the function isolates:
 *   isolated-vm sizes their young generation from each isolate's memory limit when it creates
 *   them (`src/module/isolate.cc` resets the flag when it loads).
 * - `--no-maglev`: V8's mid-tier compiler keeps about 0.8 MB of its output per function isolate
 *   (malloced memory of an isolate after 1,500 batches of one record: 0.9 MB with it, 0.1 MB
 *   without; RSS per isolate 4.4 → 3.3 MB), a cost every deployed function node pays. Hot code
 *   still reaches TurboFan: `npm run bench:js` showed the same CPU per record either way.
 * The engine's package.json `start` script, its Dockerfile and the root `bench:js` script repeat them.
 */
export const ENGINE_NODE_FLAGS: readonly string[] = [
  "--no-node-snapshot",
  "--max-semi-space-size=16",
  "--no-maglev",
];
