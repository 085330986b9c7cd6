import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { userError } from "@weir/domain";
import { pythonBinary, systemArgs } from "./sandbox";

/** Longest one install may take (downloads included). */
const INSTALL_TIMEOUT_MS = 5 * 60_000;

/**
 * Where installed requirement sets are kept, one directory per set: WEIR_PYTHON_PACKAGES, or
 * ~/.cache/weir/python-packages.
 */
export function packagesRoot(): string {
  return process.env.WEIR_PYTHON_PACKAGES ?? join(os.homedir(), ".cache", "weir", "python-packages");
}

/** The set's directory name: the same requirements (in any order) on the same interpreter share one. */
export function packagesKey(requirements: readonly string[]): string {
  const normal = [...new Set(requirements.map((r) => r.replace(/\s+/g, "")))].sort();
  return createHash("sha256")
    .update(JSON.stringify([pythonBinary(), normal]))
    .digest("hex")
    .slice(0, 32);
}

const installing = new Map<string, Promise<string>>();

/**
 * The directory holding `requirements` installed (its `site-packages` goes on the workers'
 * sys.path, bound read-only): installed once per machine, then reused. Wheels only, so that no
 * package's build code runs; pip itself runs in a bubblewrap sandbox that may reach the network
 * (the index) and write only the new directory. Rejects with a user error carrying pip's words.
 */
export function packagesFor(requirements: readonly string[]): Promise<string> {
  const key = packagesKey(requirements);
  let pending = installing.get(key);
  if (!pending) {
    pending = install(key, requirements);
    installing.set(key, pending);
    // A failed install is tried again by the next deploy (the index may have been down).
    pending.catch(() => installing.delete(key));
  }
  return pending;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function install(key: string, requirements: readonly string[]): Promise<string> {
  const root = packagesRoot();
  const target = join(root, key);
  if (await exists(join(target, "site-packages"))) return target;
  await mkdir(root, { recursive: true });
  const building = join(root, `.${key}.${process.pid}.${Date.now()}`);
  await mkdir(building);
  try {
    await pip(building, requirements);
    await rename(building, target).catch(async (error: unknown) => {
      // Another engine on this machine finished the same set first: use its.
      if (!(await exists(join(target, "site-packages")))) throw error;
    });
    return target;
  } finally {
    await rm(building, { recursive: true, force: true });
  }
}

function pip(out: string, requirements: readonly string[]): Promise<void> {
  const args = [
    "--unshare-all",
    "--share-net",
    // DNS, CA certificates and pip's own configuration (an index mirror) are under /etc.
    ...systemArgs(["--ro-bind", "/etc", "/etc", "--bind", out, "/out"]),
    pythonBinary(),
    "-I",
    "-m",
    "pip",
    "install",
    "--target",
    "/out/site-packages",
    "--no-input",
    "--disable-pip-version-check",
    "--no-cache-dir",
    "--root-user-action=ignore",
    "--only-binary=:all:",
    "--quiet",
    "--",
    ...requirements,
  ];
  return new Promise((resolve, reject) => {
    execFile(
      "bwrap",
      args,
      { timeout: INSTALL_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (!error) {
          resolve();
          return;
        }
        const said = stderr.trim().split("\n").slice(-6).join("\n") || error.message;
        reject(
          userError(
            "FUNCTION_ERROR",
            `the requirements could not be installed (${requirements.join(", ")}): ${said}`,
            {
              requirements,
            },
          ),
        );
      },
    );
  });
}
