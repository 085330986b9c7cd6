"""The example client against a live server (WEIR_URL, WEIR_TOKEN): paging, refusals with their
paths, an unreachable server. Run by apps/web/test/rest-clients.e2e.test.ts:

    WEIR_URL=http://localhost:3000 python3 -m unittest -v test_weir_client
"""

import json
import os
import pathlib
import unittest

from weir_client import WeirClient, WeirError

HERE = pathlib.Path(__file__).resolve().parent


def example_spec(name: str) -> dict:
    spec = json.loads((HERE / "../../generator-js-log.json").read_text("utf-8"))
    spec["name"] = name
    return spec


class WeirClientTest(unittest.TestCase):
    def setUp(self) -> None:
        self.weir = WeirClient(os.environ["WEIR_URL"], token=os.environ.get("WEIR_TOKEN"))
        self.made: list = []

    def tearDown(self) -> None:
        for flow_id in self.made:
            self.weir.delete_flow(flow_id)

    def test_pages_follow_the_cursor_to_every_flow_once(self) -> None:
        for n in range(5):
            self.made.append(self.weir.create_flow(example_spec(f"paged {n}"))["id"])
        seen = [f["id"] for f in self.weir.pages("/flows", limit=2)]
        self.assertEqual(len(seen), len(set(seen)))
        self.assertLessEqual(set(self.made), set(seen))
        first = self.weir.request("GET", "/flows", query={"limit": 2})
        self.assertEqual(len(first["items"]), 2)
        self.assertIsInstance(first["nextCursor"], str)

    def test_versions_are_saved_and_listed_newest_first(self) -> None:
        flow = self.weir.create_flow(example_spec("versioned"))
        self.made.append(flow["id"])
        spec = example_spec("versioned")
        spec["description"] = "changed"
        saved = self.weir.save_version(flow["id"], spec, message="from python")
        self.assertEqual(saved["version"], 2)
        self.assertEqual([v["version"] for v in self.weir.versions(flow["id"])], [2, 1])
        self.assertEqual(self.weir.get_flow(flow["id"], version=1)["spec"]["description"],
                         example_spec("x")["description"])

    def test_an_invalid_flow_is_refused_with_the_path_of_each_problem(self) -> None:
        spec = example_spec("broken")
        spec["nodes"][1]["config"]["code"] = "export default (r) => {\n  return r +;\n}"
        with self.assertRaises(WeirError) as caught:
            self.weir.create_flow(spec)
        self.assertEqual(caught.exception.status, 400)
        self.assertEqual(caught.exception.code, "BAD_REQUEST")
        paths = [p["pathString"] for p in caught.exception.problems]
        self.assertIn("nodes[1].config.code", paths)
        self.assertIn("nodes[1].config.code", str(caught.exception))

    def test_an_unknown_flow_is_404(self) -> None:
        with self.assertRaises(WeirError) as caught:
            self.weir.get_flow("00000000-0000-4000-8000-000000000000")
        self.assertEqual((caught.exception.status, caught.exception.code), (404, "NOT_FOUND"))

    def test_an_unreachable_server_is_one_clear_error(self) -> None:
        with self.assertRaises(WeirError) as caught:
            WeirClient("http://127.0.0.1:9", timeout=5).list_flows()
        self.assertEqual(caught.exception.code, "UNREACHABLE")
        self.assertIn("cannot reach http://127.0.0.1:9/api/v1", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
