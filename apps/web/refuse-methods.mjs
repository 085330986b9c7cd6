// Loaded with `node --import` before Next.js starts (scripts/start.ts, the Docker image). Next
// builds a WHATWG Request for every request it serves, and WHATWG refuses TRACE (`new
// Request(url, { method: "TRACE" })` throws), so Next answered TRACE with a 500 before any route
// or the proxy ran, and methods it does not know (QUERY) with a 400 (schemathesis found both).
// Nothing here serves another method: every other one is answered 405 with what is served.
import http from "node:http";

const SERVED = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH"];
const emit = http.Server.prototype.emit;

http.Server.prototype.emit = function emitRefusingUnservedMethods(event, ...args) {
  const [req, res] = args;
  if (event === "request" && req && res && !SERVED.includes(req.method ?? "")) {
    const body = JSON.stringify({
      error: { code: "METHOD_NOT_SUPPORTED", message: `${req.method} is not served`, problems: null },
    });
    res.writeHead(405, { allow: SERVED.join(", "), "content-type": "application/json" });
    res.end(body);
    return true;
  }
  return emit.call(this, event, ...args);
};
