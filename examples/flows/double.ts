export default function handle(record: { value: { seq: number } }) {
  return { value: { seq: record.value.seq, doubled: record.value.seq * 2 } };
}
