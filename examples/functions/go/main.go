// The example function, the same in every language under examples/functions: for each record
// whose value is {"name": string, "amount": number} it counts the record in state key "count",
// logs one line, bumps the "records" counter and sends on
// {"name": NAME, "amount": amount, "doubled": amount*2, "count": n}; any other value fails the
// record with a message.
package main

import (
	"encoding/json"
	"strconv"
	"strings"

	"weir.example/functions/go/weir"
)

type input struct {
	Name   string   `json:"name"`
	Amount *float64 `json:"amount"`
}

type output struct {
	Name    string  `json:"name"`
	Amount  float64 `json:"amount"`
	Doubled float64 `json:"doubled"`
	Count   int64   `json:"count"`
}

type transform struct{}

func (transform) Init(params string, secrets map[string]string) *weir.Error { return nil }

func (transform) Process(records []weir.Record) []weir.Outcome {
	// State reads answer from before this batch; later records of the batch must see the
	// count the earlier successful ones wrote, so the batch keeps its own running value.
	count, known := int64(0), false
	outcomes := make([]weir.Outcome, len(records))
	for i, record := range records {
		if !known {
			count, known = storedCount(), true
		}
		var in input
		if err := json.Unmarshal([]byte(record.Value), &in); err != nil || in.Amount == nil {
			outcomes[i].Err = &weir.Error{Message: "value must be an object with a numeric amount, got " + record.Value}
			continue
		}
		count++
		body, _ := json.Marshal(output{
			Name:    strings.ToUpper(in.Name),
			Amount:  *in.Amount,
			Doubled: *in.Amount * 2,
			Count:   count,
		})
		weir.Log(weir.LevelInfo, "record "+strconv.FormatInt(count, 10)+": "+in.Name)
		countText := strconv.FormatInt(count, 10)
		sent := record
		sent.Value = string(body)
		outcomes[i].Processed = weir.Processed{
			Outputs: []weir.Output{{Record: sent}},
			Writes:  []weir.StateWrite{{Key: "count", Value: &countText}},
			Metrics: []weir.Metric{{Name: "records", Kind: weir.Counter, Value: 1}},
		}
	}
	return outcomes
}

func storedCount() int64 {
	text, ok := weir.StateGet("count")
	if !ok {
		return 0
	}
	var n int64
	if json.Unmarshal([]byte(text), &n) != nil {
		return 0
	}
	return n
}

func init() { weir.Register(transform{}) }

// main is not run: the component is a reactor, and the host calls init and process.
func main() {}
