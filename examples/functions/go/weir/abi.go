// Package weir binds a Go function to the Weir function world (wit/weir-function.wit,
// weir:function@0.1.0) for Go's own wasip1 target: `//go:wasmexport` exports and
// `//go:wasmimport` imports that follow the component model's canonical ABI by hand, so the
// core module needs no generated bindings and no TinyGo. The build script embeds the WIT and
// wraps the module into a component with the WASI preview1 reactor adapter.
//
// Memory handed to the host (results, import arguments and results) comes from reused chunks
// (see alloc) that stay reachable until the host's post-return call, because the host reads and
// writes it while Go's garbage collector cannot see the host's pointers. An export's arguments
// are written into memory that is never reused (see allocArgument): process lifts their strings
// as views of it rather than copies, and hands a string it was given back without a copy.
package weir

import (
	"encoding/binary"
	"math"
	"strconv"
	"unsafe"
)

// Record is a record as it moves between nodes; Value is JSON text.
type Record struct {
	Key       *string
	Value     string
	Headers   [][2]string
	Timestamp uint64
}

// Output is a record sent on to a port; a nil Port is the node's first port.
type Output struct {
	Port   *string
	Record Record
}

// StateWrite sets Key to Value (JSON text), or deletes it when Value is nil.
type StateWrite struct {
	Key   string
	Value *string
}

// MetricKind says how a metric update counts.
type MetricKind uint8

const (
	Counter   MetricKind = 0
	Histogram MetricKind = 1
)

// Metric is one metric update.
type Metric struct {
	Name  string
	Kind  MetricKind
	Value float64
}

// Processed is what a successful record did; the host applies it only if the record succeeded.
type Processed struct {
	Outputs []Output
	Writes  []StateWrite
	Metrics []Metric
}

// Error is why a record (or init) failed.
type Error struct {
	Message string
	Line    *uint32
}

func (e *Error) Error() string { return e.Message }

// Outcome is one record's result: Err set means it failed and nothing in Processed counts.
type Outcome struct {
	Processed Processed
	Err       *Error
}

// Function is what a Go program registers in its init().
type Function interface {
	// Init runs once per instance with the node's params (a JSON object) and granted secrets.
	Init(params string, secrets map[string]string) *Error
	// Process returns exactly one outcome per record, in order.
	Process(records []Record) []Outcome
}

var registered Function

// Register makes f the component's function; call it from an init() of package main.
func Register(f Function) { registered = f }

// LogLevel is the level of a log line.
type LogLevel uint32

const (
	LevelDebug LogLevel = 0
	LevelInfo  LogLevel = 1
	LevelWarn  LogLevel = 2
	LevelError LogLevel = 3
)

//go:wasmimport weir:function/log@0.1.0 log
func hostLog(level uint32, ptr uint32, length uint32)

//go:wasmimport weir:function/state@0.1.0 get
func hostStateGet(ptr uint32, length uint32, ret uint32)

// Log writes one line to the node's log.
func Log(level LogLevel, message string) {
	ptr, length := lowerString(message)
	hostLog(uint32(level), ptr, length)
}

// StateGet reads a state key as it was before this batch: (JSON text, true), or ("", false).
func StateGet(key string) (string, bool) {
	ptr, length := lowerString(key)
	ret := alloc(12, 4)
	hostStateGet(ptr, length, ret)
	m := mem(ret, 12)
	if m[0] == 0 {
		return "", false
	}
	return liftString(m[4:]), true
}

// --- exports -------------------------------------------------------------------------------

// The host allocates memory in Go for export arguments and import results through these two.
// They are deliberately not named `cabi_realloc`: the WASI adapter would then allocate its own
// state through Go during Go's runtime initialisation (a re-entrant call Go cannot take), and
// without it the adapter takes a page of its own with memory.grow.
//
//go:wasmexport cabi_export_realloc
func cabiExportRealloc(oldPtr, oldSize, align, newSize uint32) uint32 {
	ptr := allocArgument(newSize, align)
	if oldPtr != 0 && oldSize > 0 {
		copy(mem(ptr, min(oldSize, newSize)), mem(oldPtr, min(oldSize, newSize)))
	}
	return ptr
}

//go:wasmexport cabi_import_realloc
func cabiImportRealloc(oldPtr, oldSize, align, newSize uint32) uint32 {
	return cabiRealloc(oldPtr, oldSize, align, newSize)
}

func cabiRealloc(oldPtr, oldSize, align, newSize uint32) uint32 {
	ptr := alloc(newSize, align)
	if oldPtr != 0 && oldSize > 0 {
		copy(mem(ptr, min(oldSize, newSize)), mem(oldPtr, min(oldSize, newSize)))
	}
	return ptr
}

//go:wasmexport init
func exportInit(paramsPtr, paramsLen, secretsPtr, secretsLen uint32) uint32 {
	params := liftStringAt(paramsPtr, paramsLen)
	secrets := make(map[string]string, secretsLen)
	for i := uint32(0); i < secretsLen; i++ {
		m := mem(secretsPtr+i*16, 16)
		secrets[liftString(m[0:])] = liftString(m[8:])
	}
	var err *Error
	if registered == nil {
		err = &Error{Message: "no function registered: call weir.Register from an init() of package main"}
	} else {
		err = registered.Init(params, secrets)
	}
	ret := alloc(20, 4)
	m := mem(ret, 20)
	if err == nil {
		m[0] = 0
	} else {
		m[0] = 1
		putError(m[4:], err)
	}
	return ret
}

//go:wasmexport cabi_post_init
func postInit(uint32) { release() }

//go:wasmexport process
func exportProcess(ptr, n uint32) uint32 {
	records := make([]Record, n)
	// every record's headers in one allocation (an allocation costs more than its bytes here)
	headerCount := uint32(0)
	for i := range n {
		headerCount += u32(mem(ptr+i*40+24, 4))
	}
	headers := make([][2]string, headerCount)
	for i := range records {
		records[i], headers = liftRecord(mem(ptr+uint32(i)*40, 40), headers)
	}
	// the next export call's arguments go to fresh memory: these records' strings are views of it
	retireArguments()
	outcomes := registered.Process(records)
	if len(outcomes) != len(records) {
		outcomes = mismatched(len(records), len(outcomes))
	}
	list := alloc(uint32(len(outcomes))*28, 8)
	for i, outcome := range outcomes {
		m := mem(list+uint32(i)*28, 28)
		if outcome.Err != nil {
			m[0] = 1
			putError(m[4:], outcome.Err)
			continue
		}
		m[0] = 0
		p := outcome.Processed
		putList(m[4:], lowerOutputs(p.Outputs), len(p.Outputs))
		putList(m[12:], lowerWrites(p.Writes), len(p.Writes))
		putList(m[20:], lowerMetrics(p.Metrics), len(p.Metrics))
	}
	ret := alloc(8, 4)
	putList(mem(ret, 8), list, len(outcomes))
	return ret
}

//go:wasmexport cabi_post_process
func postProcess(uint32) { release() }

func mismatched(records, outcomes int) []Outcome {
	failed := make([]Outcome, records)
	for i := range failed {
		failed[i].Err = &Error{Message: "the function returned " + strconv.Itoa(outcomes) + " outcomes for " + strconv.Itoa(records) + " records"}
	}
	return failed
}

// --- canonical ABI layouts (32-bit memory) -------------------------------------------------
// weir-record 40 bytes: key option<string> @0, value @12, headers @20, timestamp u64 @32.
// output 56: port option<string> @0, record @16. state-write 20: key @0, value option @8.
// metric 24: name @0, kind u8 @8, value f64 @16. outcome 28: tag @0, payload @4.
// function-error 16: message @0, line option<u32> @8.

// liftRecord lifts a record of process's argument list: its strings are views of the argument
// memory (viewString), which is never written again. Its headers take the start of spare, and
// the rest of spare is returned; each record's headers are capped to their own length, so an
// append to them does not reach the next record's.
func liftRecord(m []byte, spare [][2]string) (Record, [][2]string) {
	var r Record
	if m[0] != 0 {
		key := viewString(m[4:])
		r.Key = &key
	}
	r.Value = viewString(m[12:])
	headersPtr, headersLen := u32(m[20:]), u32(m[24:])
	r.Headers, spare = spare[:headersLen:headersLen], spare[headersLen:]
	for i := range r.Headers {
		h := mem(headersPtr+uint32(i)*16, 16)
		r.Headers[i] = [2]string{viewString(h[0:]), viewString(h[8:])}
	}
	r.Timestamp = binary.LittleEndian.Uint64(m[32:])
	return r, spare
}

func lowerOutputs(outputs []Output) uint32 {
	base := alloc(uint32(len(outputs))*56, 8)
	for i, o := range outputs {
		m := mem(base+uint32(i)*56, 56)
		putOptionString(m[0:], o.Port)
		putOptionString(m[16:], o.Record.Key)
		putString(m[28:], o.Record.Value)
		headers := alloc(uint32(len(o.Record.Headers))*16, 4)
		for j, h := range o.Record.Headers {
			hm := mem(headers+uint32(j)*16, 16)
			putString(hm[0:], h[0])
			putString(hm[8:], h[1])
		}
		putList(m[36:], headers, len(o.Record.Headers))
		binary.LittleEndian.PutUint64(m[48:], o.Record.Timestamp)
	}
	return base
}

func lowerWrites(writes []StateWrite) uint32 {
	base := alloc(uint32(len(writes))*20, 4)
	for i, w := range writes {
		m := mem(base+uint32(i)*20, 20)
		putString(m[0:], w.Key)
		putOptionString(m[8:], w.Value)
	}
	return base
}

func lowerMetrics(metrics []Metric) uint32 {
	base := alloc(uint32(len(metrics))*24, 8)
	for i, metric := range metrics {
		m := mem(base+uint32(i)*24, 24)
		putString(m[0:], metric.Name)
		m[8] = byte(metric.Kind)
		binary.LittleEndian.PutUint64(m[16:], math.Float64bits(metric.Value))
	}
	return base
}

func putError(m []byte, err *Error) {
	putString(m[0:], err.Message)
	if err.Line == nil {
		m[8] = 0
	} else {
		m[8] = 1
		binary.LittleEndian.PutUint32(m[12:], *err.Line)
	}
}

func putOptionString(m []byte, s *string) {
	if s == nil {
		m[0] = 0
		return
	}
	m[0] = 1
	putString(m[4:], *s)
}

func putString(m []byte, s string) {
	ptr, length := lowerString(s)
	putList(m, ptr, int(length))
}

func putList(m []byte, ptr uint32, length int) {
	binary.LittleEndian.PutUint32(m[0:], ptr)
	binary.LittleEndian.PutUint32(m[4:], uint32(length))
}

func lowerString(s string) (uint32, uint32) {
	if len(s) == 0 {
		return 0, 0
	}
	if at, ok := argumentAddress(s); ok {
		return at, uint32(len(s))
	}
	ptr := alloc(uint32(len(s)), 1)
	copy(mem(ptr, uint32(len(s))), s)
	return ptr, uint32(len(s))
}

func liftString(m []byte) string { return liftStringAt(u32(m[0:]), u32(m[4:])) }

func liftStringAt(ptr, length uint32) string {
	if length == 0 {
		return ""
	}
	return string(mem(ptr, length))
}

// viewString is the string at the (pointer, length) in m, without a copy: only for strings in
// argument memory, which is never written again once its call has begun.
func viewString(m []byte) string {
	ptr, length := u32(m[0:]), u32(m[4:])
	if length == 0 {
		return ""
	}
	return unsafe.String((*byte)(unsafe.Pointer(uintptr(ptr))), length)
}

func u32(m []byte) uint32 { return binary.LittleEndian.Uint32(m) }

// Memory for one call (arguments, results, strings the host hands in) comes from chunks that
// are reused after the host's post-return call: no garbage for Go to collect per record, and the
// chunks stay reachable while the host holds pointers into them.
var (
	chunks   [][]byte
	current  int     // index in chunks of the chunk being filled
	used     uintptr // bytes used of chunks[current]
	minChunk = uint32(256 << 10)
)

// alloc returns the address of size bytes aligned to align, valid until the next post-return.
func alloc(size, align uint32) uint32 {
	if align == 0 {
		align = 1
	}
	for {
		if current < len(chunks) {
			chunk := chunks[current]
			base := uintptr(unsafe.Pointer(unsafe.SliceData(chunk)))
			start := (base + used + uintptr(align) - 1) &^ (uintptr(align) - 1)
			if start+uintptr(size) <= base+uintptr(len(chunk)) {
				used = start + uintptr(size) - base
				return uint32(start)
			}
			if current+1 < len(chunks) && uint32(len(chunks[current+1])) >= size+align {
				current, used = current+1, 0
				continue
			}
		}
		chunks = append(chunks[:min(current+1, len(chunks))], make([]byte, max(minChunk, size+align)))
		if len(chunks) > 1 && current+1 < len(chunks) {
			current++
		}
		used = 0
	}
}

// An export call's arguments (the strings and lists the host writes through cabi_export_realloc)
// live in blocks that are never reused: process lifts their strings as views (viewString), and a
// function may keep such a string as long as it likes; Go's GC frees a block once nothing points
// into it. One block per call, sized from the calls before, so a batch costs one allocation.
var (
	argBlocks    [][]byte // the blocks of the call whose arguments are being written or were lifted
	argUsed      uintptr  // bytes used of the last block
	argRetired   bool     // the arguments were lifted: the next call's go to new blocks
	argBlockSize = minArgBlock
)

// minArgBlock is small: a batch of one record needs a few hundred bytes, and a block per call
// that is much larger than its batch makes garbage for nothing.
const minArgBlock = uint32(256)

func allocArgument(size, align uint32) uint32 {
	if align == 0 {
		align = 1
	}
	if argRetired {
		argBlocks, argUsed, argRetired = nil, 0, false
	}
	if n := len(argBlocks); n > 0 {
		block := argBlocks[n-1]
		base := uintptr(unsafe.Pointer(unsafe.SliceData(block)))
		start := (base + argUsed + uintptr(align) - 1) &^ (uintptr(align) - 1)
		if start+uintptr(size) <= base+uintptr(len(block)) {
			argUsed = start + uintptr(size) - base
			return uint32(start)
		}
	}
	block := make([]byte, max(argBlockSize, size+align))
	argBlocks = append(argBlocks, block)
	argUsed = 0
	return allocArgument(size, align)
}

// retireArguments ends the current call's argument blocks (they stay readable, and are never
// written again) and sizes the next call's block to hold what this one needed.
func retireArguments() {
	total := uint32(0)
	for _, block := range argBlocks[:max(len(argBlocks)-1, 0)] {
		total += uint32(len(block))
	}
	total += uint32(argUsed)
	argBlockSize = max(minArgBlock, total+total/8)
	argRetired = true
}

// argumentAddress is the address of s when its bytes are in the current call's argument memory:
// a string the function was given and hands back, which needs no copy (the host reads it before
// the memory could be written again, and it never is).
func argumentAddress(s string) (uint32, bool) {
	at := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	for _, block := range argBlocks {
		base := uintptr(unsafe.Pointer(unsafe.SliceData(block)))
		if at >= base && at+uintptr(len(s)) <= base+uintptr(len(block)) {
			return uint32(at), true
		}
	}
	return 0, false
}

// release makes every chunk reusable: the host has read the results and holds no pointer into them.
func release() { current, used = 0, 0 }

// mem views linear memory at a 32-bit address.
func mem(ptr, size uint32) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(uintptr(ptr))), size)
}
