// Its own module so that the API's save check (check.ts) imports nothing that points at files
// beside this package (sandbox.ts resolves guest/ from import.meta.url, which a bundler rewrites).

/**
 * The interpreter: Debian's CPython under /usr (the only host directory the sandbox sees).
 * WEIR_PYTHON may name another one under /usr.
 */
export function pythonBinary(): string {
  return process.env.WEIR_PYTHON ?? "/usr/bin/python3";
}
