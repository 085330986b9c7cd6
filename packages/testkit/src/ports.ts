import { createServer } from "node:net";

/** A TCP port on 127.0.0.1 that was free a moment ago: the kernel picks it, the probe lets it go. */
export function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr !== null && typeof addr === "object") resolve(addr.port);
        else reject(new Error("could not read an ephemeral port"));
      });
    });
  });
}
