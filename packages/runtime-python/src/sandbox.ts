import { fileURLToPath } from "node:url";

/** Where guest.py is inside the sandbox (this package's guest/ directory, bound read-only). */
export const GUEST_DIR = "/weir";

/** Where a function's installed requirements are inside the sandbox. */
export const PACKAGES_DIR = "/weir-packages";

const HOST_GUEST_DIR = fileURLToPath(new URL("../guest", import.meta.url));

export { pythonBinary } from "./python-binary";

export function hostGuestDir(): string {
  return HOST_GUEST_DIR;
}

/**
 * The system part of every sandbox here (workers and pip): all capabilities dropped, a new
 * session (no terminal to inject into), ended with the engine; the filesystem is /usr read-only,
 * `mounts` (bubblewrap bind arguments), an empty /tmp of its own, fresh /proc and /dev, and a
 * cleared environment. Namespaces are the caller's choice.
 */
export function systemArgs(mounts: readonly string[]): string[] {
  return [
    "--die-with-parent",
    "--new-session",
    "--cap-drop",
    "ALL",
    "--ro-bind",
    "/usr",
    "/usr",
    "--symlink",
    "usr/lib",
    "/lib",
    "--symlink",
    "usr/lib64",
    "/lib64",
    "--symlink",
    "usr/bin",
    "/bin",
    ...mounts,
    "--tmpfs",
    "/tmp",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--chdir",
    "/tmp",
    "--clearenv",
    "--setenv",
    "PATH",
    "/usr/bin",
    "--setenv",
    "HOME",
    "/tmp",
    "--",
  ];
}

/**
 * bubblewrap's arguments for one worker: every namespace unshared (no network, its own PIDs,
 * IPC, UTS and user) and the system part above with the guest and the function's installed
 * requirements: nothing of the host's files, /etc or /work.
 */
export function sandboxArgs(packages?: string): string[] {
  return [
    "--unshare-all",
    ...systemArgs([
      "--ro-bind",
      HOST_GUEST_DIR,
      GUEST_DIR,
      // The function's installed requirements (packages.ts), read-only, on its sys.path.
      ...(packages ? ["--ro-bind", `${packages}/site-packages`, PACKAGES_DIR] : []),
    ]),
  ];
}
