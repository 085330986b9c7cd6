// A test function for the binding (packages/runtime-wasm/test/go-binding.test.ts): it keeps every
// record's value and key it is given, and sends each record on with the value and key of the
// very first record it saw. Record strings are views of the memory the host wrote the batch into
// (weir/abi.go), so this fails if that memory is ever written again while a string points into it.
package main

import "weir.example/functions/go/weir"

type keep struct{}

var values, keys []string

func (keep) Init(string, map[string]string) *weir.Error { return nil }

func (keep) Process(records []weir.Record) []weir.Outcome {
	outcomes := make([]weir.Outcome, len(records))
	for i, record := range records {
		values = append(values, record.Value)
		if record.Key != nil {
			keys = append(keys, *record.Key)
		}
		sent := record
		sent.Value = values[0]
		if len(keys) > 0 {
			sent.Key = &keys[0]
		}
		outcomes[i].Processed.Outputs = []weir.Output{{Record: sent}}
	}
	return outcomes
}

func init() { weir.Register(keep{}) }

func main() {}
