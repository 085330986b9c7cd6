// The benchmark's identity function (packages/runtime-wasm/bench): every record goes on as it came.
package main

import "weir.example/functions/go/weir"

type identity struct{}

func (identity) Init(string, map[string]string) *weir.Error { return nil }

func (identity) Process(records []weir.Record) []weir.Outcome {
	outcomes := make([]weir.Outcome, len(records))
	for i, record := range records {
		outcomes[i].Processed.Outputs = []weir.Output{{Record: record}}
	}
	return outcomes
}

func init() { weir.Register(identity{}) }

func main() {}
