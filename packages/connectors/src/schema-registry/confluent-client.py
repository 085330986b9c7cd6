"""Confluent's own Python client (confluent-kafka, with its Avro, Protobuf and JSON Schema serdes)
for the interop tests: records Weir did not write, and a reader Weir did not write.

  confluent-client.py produce <format> <brokers> <registry-url> <topic>
      produces the fixed records of that format (avro, protobuf, json) and prints nothing
  confluent-client.py consume <format> <brokers> <registry-url> <topic> <count> [<idle-seconds>]
      prints the values of the first <count> records as one JSON array, in Weir's JSON mapping
      for the types used here (timestamps ISO 8601 UTC, decimals as text, bytes as base64); with
      <idle-seconds>, stops early once that long passed without a record after the first one
"""

import base64
import datetime
import decimal
import json
import sys
import uuid

from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory, timestamp_pb2

UTC = datetime.timezone.utc

AVRO_SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "Payment",
        "namespace": "interop",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "payer", "type": "string"},
            {"name": "note", "type": ["null", "string"], "default": None},
            {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
            {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {"name": "raw", "type": "bytes"},
            {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
            {"name": "tags", "type": {"type": "array", "items": "string"}},
        ],
    }
)

AVRO_RECORDS = [
    {
        "id": 1,
        "payer": "Ada",
        "note": None,
        "amount": decimal.Decimal("12.50"),
        "at": datetime.datetime(2024, 5, 1, 12, 0, 0, 123000, tzinfo=UTC),
        "raw": b"\x00\x01\xff",
        "status": "PAID",
        "tags": ["a", "b"],
    },
    {
        "id": 9007199254740993,
        "payer": "Grace",
        "note": "second",
        "amount": decimal.Decimal("-0.07"),
        "at": datetime.datetime(1999, 12, 31, 23, 59, 59, 0, tzinfo=UTC),
        "raw": b"",
        "status": "NEW",
        "tags": [],
    },
]

JSON_SCHEMA = json.dumps(
    {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Reading",
        "type": "object",
        "properties": {"sensor": {"type": "string"}, "value": {"type": "number"}},
        "required": ["sensor", "value"],
    }
)

JSON_RECORDS = [{"sensor": "s-1", "value": 21.5}, {"sensor": "s-2", "value": -3}]


def order_class():
    """The Protobuf message, built from a descriptor (no protoc here): package interop, message Order."""
    field = descriptor_pb2.FieldDescriptorProto
    file = descriptor_pb2.FileDescriptorProto(
        name="interop/order.proto",
        package="interop",
        syntax="proto3",
        dependency=["google/protobuf/timestamp.proto"],
    )
    order = file.message_type.add(name="Order")
    order.field.add(name="order_id", number=1, type=field.TYPE_INT64, label=field.LABEL_OPTIONAL)
    order.field.add(name="customer", number=2, type=field.TYPE_STRING, label=field.LABEL_OPTIONAL)
    order.field.add(name="tags", number=3, type=field.TYPE_STRING, label=field.LABEL_REPEATED)
    order.field.add(
        name="at", number=4, type=field.TYPE_MESSAGE, type_name=".google.protobuf.Timestamp", label=field.LABEL_OPTIONAL
    )
    pool = descriptor_pool.Default()
    assert timestamp_pb2.Timestamp  # registers google/protobuf/timestamp.proto in the default pool
    try:
        pool.Add(file)
    except TypeError:
        pass  # already added by an earlier call in this process
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("interop.Order"))


def protobuf_records(order):
    records = []
    for order_id, customer, tags, seconds, nanos in [
        (9007199254740993, "Ada", ["x"], 1714564800, 500000000),
        (2, "", [], 0, 0),
    ]:
        message = order(order_id=order_id, customer=customer, tags=tags)
        message.at.CopyFrom(timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos))
        records.append(message)
    return records


def weir_json(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(f"no JSON form for {type(value)}")


def main():
    action, fmt, brokers, registry_url, topic = sys.argv[1:6]
    registry = SchemaRegistryClient({"url": registry_url})
    context = SerializationContext(topic, MessageField.VALUE)
    if action == "produce":
        if fmt == "avro":
            serialize, records = AvroSerializer(registry, AVRO_SCHEMA), AVRO_RECORDS
        elif fmt == "json":
            serialize, records = JSONSerializer(JSON_SCHEMA, registry), JSON_RECORDS
        else:
            order = order_class()
            serialize, records = ProtobufSerializer(order, registry, {"use.deprecated.format": False}), protobuf_records(order)
        producer = Producer({"bootstrap.servers": brokers})
        for record in records:
            producer.produce(topic, key=b"k", value=serialize(record, context))
        if producer.flush(30) != 0:
            sys.exit("records were not delivered within 30 s")
        return
    count = int(sys.argv[6])
    idle = float(sys.argv[7]) if len(sys.argv) > 7 else None
    if fmt == "avro":
        deserialize = AvroDeserializer(registry)
    elif fmt == "json":
        deserialize = JSONDeserializer(None, schema_registry_client=registry)
    else:
        order = order_class()
        inner = ProtobufDeserializer(order, {"use.deprecated.format": False})
        deserialize = lambda data, ctx: json_format.MessageToDict(  # noqa: E731
            inner(data, ctx), preserving_proto_field_name=True, always_print_fields_with_no_presence=True
        )
    consumer = Consumer(
        {"bootstrap.servers": brokers, "group.id": f"interop-{uuid.uuid4()}", "auto.offset.reset": "earliest"}
    )
    consumer.subscribe([topic])
    values = []
    deadline = datetime.datetime.now() + datetime.timedelta(seconds=60)
    last = datetime.datetime.now()
    while len(values) < count and datetime.datetime.now() < deadline:
        if idle is not None and values and (datetime.datetime.now() - last).total_seconds() > idle:
            break
        message = consumer.poll(1.0)
        if message is None or message.error():
            continue
        values.append(deserialize(message.value(), context))
        last = datetime.datetime.now()
    consumer.close()
    print(json.dumps(values, default=weir_json))


if __name__ == "__main__":
    main()
