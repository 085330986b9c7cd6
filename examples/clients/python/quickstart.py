"""Creates the generator -> function -> log flow of examples/generator-js-log.json, deploys it,
reads what reached the log sink and the per-node stats, then stops and deletes it.

    python3 examples/clients/python/quickstart.py [URL]     (WEIR_URL, WEIR_TOKEN also read)
"""

import json
import os
import pathlib
import sys
import time

from weir_client import WeirClient, WeirError

HERE = pathlib.Path(__file__).resolve().parent


def main() -> int:
    url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("WEIR_URL", "http://localhost:3000")
    weir = WeirClient(url, token=os.environ.get("WEIR_TOKEN"))
    spec = json.loads((HERE / "../../generator-js-log.json").read_text("utf-8"))
    spec["name"] = "python quickstart"

    flow = weir.create_flow(spec)
    print(f"created flow {flow['id']} (version {flow['version']})")
    try:
        deployment = weir.deploy(flow["id"])
        print(f"deployed version {deployment['version']}; waiting for records")
        records = []
        deadline = time.monotonic() + 30
        while len(records) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
            records = weir.records(flow["id"], "out", limit=5)
        if not records:
            print("no records reached the log sink within 30 s", file=sys.stderr)
            return 1
        for entry in records:
            print(f"log: {json.dumps(entry['record']['value'], sort_keys=True)}")
        stats = weir.stats(flow["id"])
        print(f"deployment {stats['deployment']['actualState']}")
        for node in stats["nodes"]:
            print(f"stats: {node['nodeId']} in={node['recordsIn']} out={node['recordsOut']} errors={node['errors']}")
        listed = [f["id"] for f in weir.list_flows()]
        print(f"listed: {flow['id'] in listed}")
    finally:
        weir.stop(flow["id"])
        weir.delete_flow(flow["id"])
        print("stopped and deleted")
    try:
        weir.get_flow(flow["id"])
    except WeirError as error:
        print(f"gone: HTTP {error.status} {error.code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
