// Benchmark harness only (not product code): times Porcupine's CheckEvents on the same history
// files that zerospof's linearizability checker reads, with the models and parsers of
// Porcupine's own tests (porcupine_test.go, MIT licence), so both checkers judge identical
// histories. Prints one line per file: name, verdict, median nanoseconds of one check.
//
//	go run . -runs 5 -min-time 200ms FILE...   (.log: Jepsen etcd register log; .jsonl: zerospof's
//	JSON Lines, judged with the full model below; other: EDN key-value history)
//
// With -timeout, a check that runs out of time prints the verdict "unknown".
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

type etcdInput struct {
	op   uint8 // 0 => read, 1 => write, 2 => cas
	arg1 int
	arg2 int
}

type etcdOutput struct {
	ok      bool
	exists  bool
	value   int
	unknown bool
}

var etcdModel = porcupine.Model{
	Init: func() interface{} { return -1000000 },
	Step: func(state interface{}, input interface{}, output interface{}) (bool, interface{}) {
		st := state.(int)
		inp := input.(etcdInput)
		out := output.(etcdOutput)
		if inp.op == 0 {
			ok := (!out.exists && st == -1000000) || (out.exists && st == out.value) || out.unknown
			return ok, state
		} else if inp.op == 1 {
			return true, inp.arg1
		}
		ok := (inp.arg1 == st && out.ok) || (inp.arg1 != st && !out.ok) || out.unknown
		result := st
		if inp.arg1 == st {
			result = inp.arg2
		}
		return ok, result
	},
}

type kvInput struct {
	op    uint8 // 0 => get, 1 => put, 2 => append
	key   string
	value string
}

type kvOutput struct {
	value string
}

var kvModel = porcupine.Model{
	PartitionEvent: func(history []porcupine.Event) [][]porcupine.Event {
		m := make(map[string][]porcupine.Event)
		match := make(map[int]string)
		for _, v := range history {
			if v.Kind == porcupine.CallEvent {
				key := v.Value.(kvInput).key
				m[key] = append(m[key], v)
				match[v.Id] = key
			} else {
				key := match[v.Id]
				m[key] = append(m[key], v)
			}
		}
		var ret [][]porcupine.Event
		for _, v := range m {
			ret = append(ret, v)
		}
		return ret
	},
	Init: func() interface{} { return "" },
	Step: func(state, input, output interface{}) (bool, interface{}) {
		inp := input.(kvInput)
		out := output.(kvOutput)
		st := state.(string)
		if inp.op == 0 {
			return out.value == st, state
		} else if inp.op == 1 {
			return true, inp.value
		}
		return true, st + inp.value
	},
}

// The model zerospof's checker judges (src/history/register_model.h): per key a string value,
// absent reading as ""; read, write, compare-and-set and append; an operation of unknown
// outcome is legal in every state (it returns at the end of the history, so it may also never
// take effect).
type fullInput struct {
	op       string
	key      string
	value    string
	expected string
}

type fullOutput struct {
	ok      bool // compare-and-set: whether the comparison held
	value   string
	unknown bool
}

var fullModel = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := make(map[string][]porcupine.Operation)
		var keys []string
		for _, operation := range history {
			key := operation.Input.(fullInput).key
			if _, seen := byKey[key]; !seen {
				keys = append(keys, key)
			}
			byKey[key] = append(byKey[key], operation)
		}
		var partitions [][]porcupine.Operation
		for _, key := range keys {
			partitions = append(partitions, byKey[key])
		}
		return partitions
	},
	Init: func() interface{} { return "" },
	Step: func(state, input, output interface{}) (bool, interface{}) {
		st := state.(string)
		in := input.(fullInput)
		out := output.(fullOutput)
		switch in.op {
		case "read":
			return out.unknown || out.value == st, st
		case "write":
			return true, in.value
		case "append":
			return true, st + in.value
		}
		matches := st == in.expected
		next := st
		if matches {
			next = in.value
		}
		return out.unknown || matches == out.ok, next
	},
}

// jsonText is a JSON Lines value: null (""), a string or an integer.
func jsonText(raw json.RawMessage) string {
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return text
	}
	var number json.Number
	if json.Unmarshal(raw, &number) == nil {
		return number.String()
	}
	return ""
}

// parseJsonLines reads zerospof's JSON Lines (docs/history.md) as written by its generator:
// events in time order, one operation in flight per process. A fail of anything but a
// compare-and-set never happened; info, a timed-out fail or no completion is unknown.
func parseJsonLines(path string) []porcupine.Operation {
	type event struct {
		Type     string          `json:"type"`
		Process  int             `json:"process"`
		Time     int64           `json:"time"`
		F        string          `json:"f"`
		Key      json.RawMessage `json:"key"`
		Value    json.RawMessage `json:"value"`
		TimedOut bool            `json:"timed_out"`
	}
	var operations []porcupine.Operation
	open := make(map[int]porcupine.Operation)
	for _, line := range readLines(path) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var e event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			panic(err)
		}
		f := map[string]string{"get": "read", "put": "write"}[e.F]
		if f == "" {
			f = e.F
		}
		if e.Type == "invoke" {
			in := fullInput{op: f, key: jsonText(e.Key)}
			if f == "cas" {
				var pair []json.RawMessage
				_ = json.Unmarshal(e.Value, &pair)
				in.expected, in.value = jsonText(pair[0]), jsonText(pair[1])
			} else if f != "read" {
				in.value = jsonText(e.Value)
			}
			open[e.Process] = porcupine.Operation{ClientId: e.Process, Input: in, Call: e.Time}
			continue
		}
		operation, found := open[e.Process]
		if !found {
			continue
		}
		delete(open, e.Process)
		unknown := e.Type == "info" || (e.Type == "fail" && e.TimedOut)
		if e.Type == "fail" && !unknown && f != "cas" {
			continue
		}
		out := fullOutput{ok: e.Type == "ok", unknown: unknown}
		if f == "read" && !unknown {
			out.value = jsonText(e.Value)
		}
		if unknown {
			operation.Return = math.MaxInt64
		} else {
			operation.Return = e.Time
		}
		operation.Output = out
		if unknown && f == "read" {
			continue
		}
		operations = append(operations, operation)
	}
	for _, operation := range open {
		if operation.Input.(fullInput).op == "read" {
			continue
		}
		operation.Output = fullOutput{unknown: true}
		operation.Return = math.MaxInt64
		operations = append(operations, operation)
	}
	sort.SliceStable(operations, func(i, j int) bool { return operations[i].Call < operations[j].Call })
	return operations
}

func readLines(path string) []string {
	file, err := os.Open(path)
	if err != nil {
		panic(err)
	}
	defer file.Close()
	var lines []string
	scanner := bufio.NewScanner(file)
	scanner.Buffer(make([]byte, 1<<20), 1<<26)
	for scanner.Scan() {
		lines = append(lines, scanner.Text())
	}
	return lines
}

// parseJepsenLog is Porcupine's test parser: :info lines match nothing, so those operations
// stay open and return "unknown" at the end of the history.
func parseJepsenLog(path string) []porcupine.Event {
	prefix := `^INFO\s+jepsen\.util\s+-\s+(\d+)\s+`
	invokeRead := regexp.MustCompile(prefix + `:invoke\s+:read\s+nil$`)
	invokeWrite := regexp.MustCompile(prefix + `:invoke\s+:write\s+(\d+)$`)
	invokeCas := regexp.MustCompile(prefix + `:invoke\s+:cas\s+\[(\d+)\s+(\d+)\]$`)
	returnRead := regexp.MustCompile(prefix + `:ok\s+:read\s+(nil|\d+)$`)
	returnWrite := regexp.MustCompile(prefix + `:ok\s+:write\s+(\d+)$`)
	returnCas := regexp.MustCompile(prefix + `:(ok|fail)\s+:cas\s+\[(\d+)\s+(\d+)\]$`)
	timeoutRead := regexp.MustCompile(prefix + `:fail\s+:read\s+:timed-out$`)
	var events []porcupine.Event
	id := 0
	open := make(map[int]int)
	call := func(proc int, input etcdInput) {
		events = append(events, porcupine.Event{ClientId: proc, Kind: porcupine.CallEvent, Value: input, Id: id})
		open[proc] = id
		id++
	}
	ret := func(proc int, output etcdOutput) {
		events = append(events, porcupine.Event{ClientId: proc, Kind: porcupine.ReturnEvent, Value: output, Id: open[proc]})
		delete(open, proc)
	}
	for _, line := range readLines(path) {
		atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
		switch {
		case invokeRead.MatchString(line):
			args := invokeRead.FindStringSubmatch(line)
			call(atoi(args[1]), etcdInput{op: 0})
		case invokeWrite.MatchString(line):
			args := invokeWrite.FindStringSubmatch(line)
			call(atoi(args[1]), etcdInput{op: 1, arg1: atoi(args[2])})
		case invokeCas.MatchString(line):
			args := invokeCas.FindStringSubmatch(line)
			call(atoi(args[1]), etcdInput{op: 2, arg1: atoi(args[2]), arg2: atoi(args[3])})
		case returnRead.MatchString(line):
			args := returnRead.FindStringSubmatch(line)
			if args[2] == "nil" {
				ret(atoi(args[1]), etcdOutput{})
			} else {
				ret(atoi(args[1]), etcdOutput{exists: true, value: atoi(args[2])})
			}
		case returnWrite.MatchString(line):
			ret(atoi(returnWrite.FindStringSubmatch(line)[1]), etcdOutput{})
		case returnCas.MatchString(line):
			args := returnCas.FindStringSubmatch(line)
			ret(atoi(args[1]), etcdOutput{ok: args[2] == "ok"})
		case timeoutRead.MatchString(line):
			ret(atoi(timeoutRead.FindStringSubmatch(line)[1]), etcdOutput{unknown: true})
		}
	}
	procs := make([]int, 0, len(open))
	for proc := range open {
		procs = append(procs, proc)
	}
	sort.Ints(procs)
	for _, proc := range procs {
		ret(proc, etcdOutput{unknown: true})
	}
	return events
}

// parseKvLog is Porcupine's test parser for the EDN key-value histories.
func parseKvLog(path string) []porcupine.Event {
	invokeGet := regexp.MustCompile(`{:process (\d+), :type :invoke, :f :get, :key "(.*)", :value nil}`)
	invokePut := regexp.MustCompile(`{:process (\d+), :type :invoke, :f :put, :key "(.*)", :value "(.*)"}`)
	invokeAppend := regexp.MustCompile(`{:process (\d+), :type :invoke, :f :append, :key "(.*)", :value "(.*)"}`)
	returnGet := regexp.MustCompile(`{:process (\d+), :type :ok, :f :get, :key ".*", :value "(.*)"}`)
	returnOther := regexp.MustCompile(`{:process (\d+), :type :ok, :f :(put|append), :key ".*", :value ".*"}`)
	var events []porcupine.Event
	id := 0
	open := make(map[int]int)
	call := func(proc int, input kvInput) {
		events = append(events, porcupine.Event{ClientId: proc, Kind: porcupine.CallEvent, Value: input, Id: id})
		open[proc] = id
		id++
	}
	ret := func(proc int, output kvOutput) {
		events = append(events, porcupine.Event{ClientId: proc, Kind: porcupine.ReturnEvent, Value: output, Id: open[proc]})
		delete(open, proc)
	}
	for _, line := range readLines(path) {
		atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
		switch {
		case invokeGet.MatchString(line):
			args := invokeGet.FindStringSubmatch(line)
			call(atoi(args[1]), kvInput{op: 0, key: args[2]})
		case invokePut.MatchString(line):
			args := invokePut.FindStringSubmatch(line)
			call(atoi(args[1]), kvInput{op: 1, key: args[2], value: args[3]})
		case invokeAppend.MatchString(line):
			args := invokeAppend.FindStringSubmatch(line)
			call(atoi(args[1]), kvInput{op: 2, key: args[2], value: args[3]})
		case returnGet.MatchString(line):
			args := returnGet.FindStringSubmatch(line)
			ret(atoi(args[1]), kvOutput{args[2]})
		case returnOther.MatchString(line):
			ret(atoi(returnOther.FindStringSubmatch(line)[1]), kvOutput{})
		}
	}
	for proc := range open {
		ret(proc, kvOutput{})
	}
	return events
}

func median(samples []time.Duration) time.Duration {
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	return samples[len(samples)/2]
}

func main() {
	runs := flag.Int("runs", 5, "timed runs per file; the median is printed")
	minTime := flag.Duration("min-time", 200*time.Millisecond, "least time spent in one run")
	timeout := flag.Duration("timeout", 0, "give up on a file after this long (0: never)")
	flag.Parse()
	for _, path := range flag.Args() {
		var check func() porcupine.CheckResult
		switch {
		case strings.HasSuffix(path, ".log"):
			events := parseJepsenLog(path)
			check = func() porcupine.CheckResult { return porcupine.CheckEventsTimeout(etcdModel, events, *timeout) }
		case strings.HasSuffix(path, ".jsonl"):
			operations := parseJsonLines(path)
			check = func() porcupine.CheckResult {
				return porcupine.CheckOperationsTimeout(fullModel, operations, *timeout)
			}
		default:
			events := parseKvLog(path)
			check = func() porcupine.CheckResult { return porcupine.CheckEventsTimeout(kvModel, events, *timeout) }
		}
		// As Google Benchmark does: each run repeats the check for at least -min-time and
		// yields the mean time of one check; the median of the runs is printed.
		var samples []time.Duration
		verdict := porcupine.Unknown
		for i := 0; i < *runs; i++ {
			checks := 0
			start := time.Now()
			for checks == 0 || time.Since(start) < *minTime {
				verdict = check()
				checks++
				if verdict == porcupine.Unknown {
					break
				}
			}
			samples = append(samples, time.Since(start)/time.Duration(checks))
			if verdict == porcupine.Unknown {
				break
			}
		}
		names := map[porcupine.CheckResult]string{porcupine.Ok: "true", porcupine.Illegal: "false", porcupine.Unknown: "unknown"}
		fmt.Printf("%s\t%s\t%d\n", filepath.Base(path), names[verdict], median(samples).Nanoseconds())
	}
}
