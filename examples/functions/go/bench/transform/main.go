// The benchmark's JSON transform (packages/runtime-wasm/bench): an order in, a summary with its
// total out, as the JS version there does.
package main

import (
	"encoding/json"

	"weir.example/functions/go/weir"
)

type order struct {
	ID       string `json:"id"`
	Customer struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"customer"`
	Items []struct {
		Price float64 `json:"price"`
		Qty   float64 `json:"qty"`
	} `json:"items"`
	Currency string `json:"currency"`
}

type summary struct {
	OrderID   string  `json:"orderId"`
	Customer  string  `json:"customer"`
	Email     string  `json:"email"`
	Total     float64 `json:"total"`
	ItemCount int     `json:"itemCount"`
	Currency  string  `json:"currency"`
	Processed bool    `json:"processed"`
}

type transform struct{}

func (transform) Init(string, map[string]string) *weir.Error { return nil }

func (transform) Process(records []weir.Record) []weir.Outcome {
	outcomes := make([]weir.Outcome, len(records))
	for i, record := range records {
		var o order
		if err := json.Unmarshal([]byte(record.Value), &o); err != nil {
			outcomes[i].Err = &weir.Error{Message: err.Error()}
			continue
		}
		total := 0.0
		for _, item := range o.Items {
			total += item.Price * item.Qty
		}
		body, _ := json.Marshal(summary{
			OrderID: o.ID, Customer: o.Customer.Name, Email: o.Customer.Email,
			Total: total, ItemCount: len(o.Items), Currency: o.Currency, Processed: true,
		})
		sent := record
		sent.Value = string(body)
		outcomes[i].Processed.Outputs = []weir.Output{{Record: sent}}
	}
	return outcomes
}

func init() { weir.Register(transform{}) }

func main() {}
