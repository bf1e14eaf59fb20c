// Benchmark harness only (not product code): times Porcupine's CheckEvents on the same history
// files that zerospof's linearizability checker reads, with the models and parsers of
// Porcupine's own tests (porcupine_test.go, MIT licence), so both checkers judge identical
// histories. Prints one line per file: name, verdict, median nanoseconds of one check.
//
//	go run . -runs 5 -min-time 200ms FILE...   (.log: Jepsen etcd register log; other: EDN key-value history)
package main

import (
	"bufio"
	"flag"
	"fmt"
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
	flag.Parse()
	for _, path := range flag.Args() {
		var events []porcupine.Event
		model := kvModel
		if strings.HasSuffix(path, ".log") {
			events, model = parseJepsenLog(path), etcdModel
		} else {
			events = parseKvLog(path)
		}
		// As Google Benchmark does: each run repeats the check for at least -min-time and
		// yields the mean time of one check; the median of the runs is printed.
		var samples []time.Duration
		verdict := false
		for i := 0; i < *runs; i++ {
			checks := 0
			start := time.Now()
			for checks == 0 || time.Since(start) < *minTime {
				verdict = porcupine.CheckEvents(model, events)
				checks++
			}
			samples = append(samples, time.Since(start)/time.Duration(checks))
		}
		fmt.Printf("%s\t%t\t%d\n", filepath.Base(path), verdict, median(samples).Nanoseconds())
	}
}
