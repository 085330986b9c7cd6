"""The example function, the same in every language under examples/functions: for each record
whose value is {"name": string, "amount": number} it counts the record in state key "count",
logs one line, bumps the "records" counter and sends on
{"name": NAME, "amount": amount, "doubled": amount*2, "count": n}; any other value fails the
record with a message.

componentize-py generates the `wit_world` bindings from wit/weir-function.wit at build time.
"""

import json
from typing import List, Tuple

import wit_world
from componentize_py_types import Err, Ok, Result
from wit_world.imports import log, state
from wit_world.imports.types import (
    FunctionError,
    Metric,
    MetricKind,
    Output,
    Processed,
    StateWrite,
    WeirRecord,
)


class WitWorld(wit_world.WitWorld):
    def init(self, params: str, secrets: List[Tuple[str, str]]) -> None:
        pass

    def process(self, records: List[WeirRecord]) -> List[Result[Processed, FunctionError]]:
        # State reads answer from before this batch; later records of the batch must see the
        # count the earlier successful ones wrote, so the batch keeps its own running value.
        count = None
        outcomes: List[Result[Processed, FunctionError]] = []
        for record in records:
            if count is None:
                count = stored_count()
            try:
                value = json.loads(record.value)
            except ValueError:
                value = None
            amount = value.get("amount") if isinstance(value, dict) else None
            if isinstance(amount, bool) or not isinstance(amount, (int, float)):
                message = f"value must be an object with a numeric amount, got {record.value}"
                outcomes.append(Err(FunctionError(message=message, line=None)))
                continue
            count += 1
            name = value.get("name") if isinstance(value.get("name"), str) else ""
            log.log(log.Level.INFO, f"record {count}: {name}")
            body = json.dumps(
                {"name": name.upper(), "amount": amount, "doubled": amount * 2, "count": count},
                separators=(",", ":"),
            )
            sent = WeirRecord(key=record.key, value=body, headers=record.headers, timestamp=record.timestamp)
            outcomes.append(
                Ok(
                    Processed(
                        outputs=[Output(port=None, record=sent)],
                        writes=[StateWrite(key="count", value=str(count))],
                        metrics=[Metric(name="records", kind=MetricKind.COUNTER, value=1.0)],
                    )
                )
            )
        return outcomes


def stored_count() -> int:
    text = state.get("count")
    if text is None:
        return 0
    try:
        return int(json.loads(text))
    except (ValueError, TypeError):
        return 0
