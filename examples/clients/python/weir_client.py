"""A small client for Weir's REST API (/api/v1), written against its OpenAPI document
(/api/v1/openapi.json) with only the Python standard library.

    from weir_client import WeirClient
    weir = WeirClient("http://localhost:3000", token=os.environ.get("WEIR_TOKEN"))
    flow = weir.create_flow(spec)            # {"id", "name", "version"}
    weir.deploy(flow["id"])                  # the deployment, desiredState "running"
    weir.records(flow["id"], "out")          # what a log sink kept, oldest first

Every refusal raises WeirError with the HTTP status, the error code and the problems (each with
the JSON path of what was wrong), as the API sends them.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Iterator, Optional

__all__ = ["WeirClient", "WeirError"]


class WeirError(Exception):
    """The server refused a request (4xx or 5xx) or could not be reached (status 0)."""

    def __init__(self, status: int, code: str, message: str, problems: Optional[list] = None):
        self.status = status
        self.code = code
        self.problems = problems or []
        where = "".join(f"\n  {p.get('pathString', '')}: {p.get('message', '')}" for p in self.problems)
        super().__init__(f"{message} (HTTP {status} {code}){where}")


class WeirClient:
    """One Weir server. `token` is an API token, sent as `Authorization: Bearer <token>`."""

    def __init__(self, url: str, token: Optional[str] = None, timeout: float = 30.0):
        self.base = url.rstrip("/") + "/api/v1"
        self.token = token
        self.timeout = timeout

    # --- the HTTP exchange ---------------------------------------------------------------

    def request(self, method: str, path: str, body: Any = None, query: Optional[dict] = None) -> Any:
        """One call; answers the parsed JSON body (None for 204)."""
        url = self.base + path
        params = {k: v for k, v in (query or {}).items() if v is not None}
        if params:
            url += "?" + urllib.parse.urlencode(params)
        headers = {"accept": "application/json"}
        data = None
        # Every POST and PUT must be application/json, even without a body (the API refuses others).
        if method in ("POST", "PUT"):
            headers["content-type"] = "application/json"
            data = b"" if body is None else json.dumps(body).encode("utf-8")
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as res:
                raw = res.read()
                return None if res.status == 204 or not raw else json.loads(raw)
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                detail = json.loads(raw)["error"]
            except (ValueError, KeyError, TypeError):
                raise WeirError(error.code, "HTTP_ERROR", raw.decode("utf-8", "replace")[:200]) from None
            raise WeirError(error.code, detail.get("code", "ERROR"), detail.get("message", ""),
                            detail.get("problems")) from None
        except urllib.error.URLError as error:
            raise WeirError(0, "UNREACHABLE", f"cannot reach {self.base}: {error.reason}") from None

    def pages(self, path: str, query: Optional[dict] = None, limit: int = 100) -> Iterator[Any]:
        """Every item of a list, following `nextCursor` page by page."""
        cursor = None
        while True:
            page = self.request("GET", path, query={**(query or {}), "limit": limit, "cursor": cursor})
            yield from page["items"]
            cursor = page["nextCursor"]
            if cursor is None:
                return

    # --- flows ---------------------------------------------------------------------------

    def create_flow(self, spec: dict) -> dict:
        return self.request("POST", "/flows", spec)

    def list_flows(self) -> list:
        return list(self.pages("/flows"))

    def get_flow(self, flow_id: str, version: Optional[int] = None) -> dict:
        return self.request("GET", f"/flows/{flow_id}", query={"version": version})

    def save_version(self, flow_id: str, spec: dict, message: Optional[str] = None) -> dict:
        body = {"spec": spec} if message is None else {"spec": spec, "message": message}
        return self.request("POST", f"/flows/{flow_id}/versions", body)

    def versions(self, flow_id: str) -> list:
        return list(self.pages(f"/flows/{flow_id}/versions"))

    def delete_flow(self, flow_id: str) -> None:
        self.request("DELETE", f"/flows/{flow_id}")

    # --- deployments and what they produce -----------------------------------------------

    def deploy(self, flow_id: str, version: Optional[int] = None) -> dict:
        return self.request("POST", f"/flows/{flow_id}/deployments", {} if version is None else {"version": version})

    def deployment(self, flow_id: str) -> Optional[dict]:
        return self.request("GET", f"/flows/{flow_id}/deployment")

    def stop(self, flow_id: str) -> Optional[dict]:
        return self.request("POST", f"/flows/{flow_id}/deployment/stop", {})

    def stats(self, flow_id: str) -> dict:
        return self.request("GET", f"/flows/{flow_id}/stats")

    def records(self, flow_id: str, node_id: str, limit: int = 100, after_id: Optional[int] = None) -> list:
        """What a log sink kept: the newest `limit`, or those after `after_id`; oldest first."""
        path = f"/flows/{flow_id}/nodes/{urllib.parse.quote(node_id, safe='')}/records"
        return self.request("GET", path, query={"limit": limit, "afterId": after_id})["items"]

    def dead_letters(self, flow_id: str, node_id: Optional[str] = None) -> list:
        return list(self.pages(f"/flows/{flow_id}/dead-letters", {"nodeId": node_id}))
