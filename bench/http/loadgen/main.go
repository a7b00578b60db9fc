// edgeflow-loadgen: a lean open-model HTTP/1.1 load generator for bench/http.
//
// Requests are due at a fixed rate from the start of the run (request i at start + i/rate),
// whether or not earlier ones were answered. A pacer releases each request when it is due
// (give or take the Go runtime's timer slack, reported as pacingLagMicros) into a queue; a
// keep-alive connection that is free takes the next one, sends it and reads the answer.
// Latency runs from the release, not from the moment a connection took it, so a request
// that waited for a free connection or a slow server counts its wait (no coordinated
// omission, as in wrk2). When every connection is busy, released requests queue and their
// latency grows: saturation shows. Connections are opened before the clock starts, and the
// Go garbage collector is off while requests are timed (cycles that still ran are reported).
//
// Why not vegeta alone: on a 2-core machine the generator shares the cores with the server.
// vegeta's net/http client costs ≈ 140 µs of CPU per request here, as much as the server
// under test; this one writes pre-built request bytes and parses only the status line and
// Content-Length (or chunked) of the answer, for a fraction of that. Its own CPU per request
// is printed with the results so the reader can judge.
//
//	edgeflow-loadgen -url http://127.0.0.1:8080/v1/predict -body body.json \
//	  -header 'x-api-key: …' -rate 5000 -duration 10s -connections 64
//
// Prints one JSON object: requests, achieved rate, status counts, errors, latency
// percentiles in microseconds, and the generator's own CPU.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type headerList []string

func (h *headerList) String() string     { return strings.Join(*h, ", ") }
func (h *headerList) Set(v string) error { *h = append(*h, v); return nil }

type result struct {
	Requests     int64            `json:"requests"`
	Rate         float64          `json:"rate"`
	Throughput   float64          `json:"throughput"`
	DurationS    float64          `json:"durationSeconds"`
	Status       map[string]int64 `json:"statusCodes"`
	Errors       int64            `json:"errors"`
	FirstErrors  []string         `json:"firstErrors"`
	LatencyUs    map[string]int64 `json:"latencyMicros"`
	Connections  int              `json:"connections"`
	MaxQueued    int64            `json:"maxQueuedRequests"`
	PacingLagUs  map[string]int64 `json:"pacingLagMicros"`
	GeneratorCPU float64          `json:"generatorCpuMicrosPerRequest"`
	GCCycles     uint32           `json:"gcCyclesDuringRun"`
}

func main() {
	target := flag.String("url", "", "target URL (http only)")
	method := flag.String("method", "POST", "HTTP method")
	bodyFile := flag.String("body", "", "file holding the request body")
	rate := flag.Float64("rate", 1000, "requests per second")
	duration := flag.Duration("duration", 10*time.Second, "how long requests are issued")
	conns := flag.Int("connections", 64, "keep-alive connections (a request waits for a free one)")
	timeout := flag.Duration("timeout", 10*time.Second, "per-request deadline")
	latencyFile := flag.String("latencies", "", "also write each request's latency in µs, in release order, one a line (-1: failed) to this file")
	var headers headerList
	flag.Var(&headers, "header", "extra header 'Name: value' (repeatable)")
	flag.Parse()
	if err := run(*target, *method, *bodyFile, headers, *rate, *duration, *conns, *timeout, *latencyFile); err != nil {
		fmt.Fprintf(os.Stderr, "edgeflow-loadgen: %v\n", err)
		os.Exit(2)
	}
}

func run(target, method, bodyFile string, headers []string, rate float64, duration time.Duration, conns int, timeout time.Duration, latencyFile string) error {
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return fmt.Errorf("-url must be an http:// URL, got %q", target)
	}
	if rate <= 0 || conns < 1 || duration <= 0 {
		return errors.New("-rate, -connections and -duration must be positive")
	}
	var body []byte
	if bodyFile != "" {
		if body, err = os.ReadFile(bodyFile); err != nil {
			return err
		}
	}
	path := u.RequestURI()
	var req bytes.Buffer
	fmt.Fprintf(&req, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: edgeflow-loadgen\r\n", method, path, u.Host)
	for _, h := range headers {
		if !strings.Contains(h, ":") {
			return fmt.Errorf("-header %q: expected 'Name: value'", h)
		}
		fmt.Fprintf(&req, "%s\r\n", strings.TrimSpace(h))
	}
	if body != nil {
		fmt.Fprintf(&req, "Content-Length: %d\r\n", len(body))
	}
	req.WriteString("\r\n")
	req.Write(body)
	wire := req.Bytes()

	total := int64(rate * duration.Seconds())
	if total < 1 {
		return errors.New("-rate × -duration must make at least one request")
	}
	interval := float64(time.Second) / rate
	latencies := make([]int64, total)
	statuses := make([]int32, total)
	var errCount, maxQueued atomic.Int64
	var firstErrors []string
	var errMu sync.Mutex
	noteError := func(e error) {
		errCount.Add(1)
		errMu.Lock()
		if len(firstErrors) < 5 {
			firstErrors = append(firstErrors, e.Error())
		}
		errMu.Unlock()
	}

	// Every keep-alive connection is opened before the clock starts, as a client pool would
	// be: a connection's set-up is not a request's latency. One that the server closes later
	// is reopened by the next request on it, and that does count.
	opened := make([]net.Conn, conns)
	for c := range opened {
		conn, err := net.DialTimeout("tcp", u.Host, timeout)
		if err != nil {
			for _, o := range opened[:c] {
				o.Close()
			}
			return fmt.Errorf("cannot open connection %d of %d to %s: %v", c+1, conns, u.Host, err)
		}
		opened[c] = conn
	}

	// No garbage collection while requests are timed: with one OS thread for Go code, a GC
	// cycle stalls every connection for milliseconds and shows as the server's latency. All
	// per-request state is allocated above; the memory limit is a safety net, and the cycles
	// that still ran are reported.
	runtime.GC()
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(1 << 30)
	var gcBefore runtime.MemStats
	runtime.ReadMemStats(&gcBefore)
	var before syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	start := time.Now().Add(50 * time.Millisecond)
	// The pacer releases each request when it is due; sleeping per request would add the
	// runtime's timer slack (up to a millisecond here) to every latency. A released request
	// waits in the queue for a free connection, and that wait counts in its latency.
	type ticket struct {
		i        int64
		released time.Time
	}
	queue := make(chan ticket, total)
	lags := make([]int64, 0, total)
	go func() {
		defer close(queue)
		var released int64
		for released < total {
			now := time.Now()
			due := int64(float64(now.Sub(start))/interval) + 1
			if due > total {
				due = total
			}
			for ; released < due; released++ {
				lags = append(lags, int64(now.Sub(start.Add(time.Duration(float64(released)*interval)))/time.Microsecond))
				queue <- ticket{released, now}
			}
			if q := int64(len(queue)); q > maxQueued.Load() {
				maxQueued.Store(q)
			}
			time.Sleep(start.Add(time.Duration(float64(released) * interval)).Sub(time.Now()))
		}
	}()
	var wg sync.WaitGroup
	for c := 0; c < conns; c++ {
		wg.Add(1)
		go func(conn net.Conn) {
			defer wg.Done()
			rd := bufio.NewReaderSize(conn, 16<<10)
			for t := range queue {
				i := t.i
				if conn == nil {
					c, err := net.DialTimeout("tcp", u.Host, timeout)
					if err != nil {
						noteError(err)
						latencies[i] = -1
						continue
					}
					conn, rd = c, bufio.NewReaderSize(c, 16<<10)
				}
				conn.SetDeadline(time.Now().Add(timeout))
				status, keep, err := roundTrip(conn, rd, wire)
				if err != nil {
					noteError(err)
					latencies[i] = -1
					conn.Close()
					conn = nil
					continue
				}
				latencies[i] = int64(time.Since(t.released) / time.Microsecond)
				statuses[i] = int32(status)
				if !keep {
					conn.Close()
					conn = nil
				}
			}
			if conn != nil {
				conn.Close()
			}
		}(opened[c])
	}
	wg.Wait()
	elapsed := time.Since(start)
	var after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
	var gcAfter runtime.MemStats
	runtime.ReadMemStats(&gcAfter)
	debug.SetGCPercent(100)

	if latencyFile != "" {
		var b bytes.Buffer
		for _, l := range latencies {
			b.WriteString(strconv.FormatInt(l, 10))
			b.WriteByte('\n')
		}
		if err := os.WriteFile(latencyFile, b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	ok := make([]int64, 0, total)
	status := map[string]int64{}
	for i := int64(0); i < total; i++ {
		if latencies[i] >= 0 {
			ok = append(ok, latencies[i])
			status[strconv.Itoa(int(statuses[i]))]++
		}
	}
	pct := func(p float64) int64 { return percentile(ok, p) }
	var sum int64
	for _, l := range ok {
		sum += l
	}
	mean := int64(0)
	if len(ok) > 0 {
		mean = sum / int64(len(ok))
	}
	out := result{
		Requests:     total,
		Rate:         rate,
		Throughput:   float64(len(ok)) / elapsed.Seconds(),
		DurationS:    elapsed.Seconds(),
		Status:       status,
		Errors:       errCount.Load(),
		FirstErrors:  firstErrors,
		LatencyUs:    map[string]int64{"min": pct(0), "mean": mean, "p50": pct(0.5), "p90": pct(0.9), "p99": pct(0.99), "p999": pct(0.999), "max": pct(1)},
		Connections:  conns,
		MaxQueued:    maxQueued.Load(),
		PacingLagUs:  map[string]int64{"p50": percentile(lags, 0.5), "p99": percentile(lags, 0.99), "max": percentile(lags, 1)},
		GeneratorCPU: float64(cpu.Microseconds()) / float64(total),
		GCCycles:     gcAfter.NumGC - gcBefore.NumGC,
	}
	if out.FirstErrors == nil {
		out.FirstErrors = []string{}
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

// percentile of xs (sorted in place), nearest rank.
func percentile(xs []int64, p float64) int64 {
	if len(xs) == 0 {
		return 0
	}
	if !sort.SliceIsSorted(xs, func(a, b int) bool { return xs[a] < xs[b] }) {
		sort.Slice(xs, func(a, b int) bool { return xs[a] < xs[b] })
	}
	k := int(p*float64(len(xs))+0.5) - 1
	if k < 0 {
		k = 0
	}
	if k > len(xs)-1 {
		k = len(xs) - 1
	}
	return xs[k]
}

var (
	headerContentLength    = []byte("content-length")
	headerTransferEncoding = []byte("transfer-encoding")
	headerConnection       = []byte("connection")
	tokenChunked           = []byte("chunked")
	tokenClose             = []byte("close")
	tokenKeepAlive         = []byte("keep-alive")
)

// containsFold: whether s holds token, ASCII case-insensitively.
func containsFold(s, token []byte) bool {
	for i := 0; i+len(token) <= len(s); i++ {
		if bytes.EqualFold(s[i:i+len(token)], token) {
			return true
		}
	}
	return false
}

// roundTrip writes one request and reads its response; keep says whether the connection
// may carry the next request.
func roundTrip(conn net.Conn, rd *bufio.Reader, wire []byte) (status int, keep bool, err error) {
	if _, err = conn.Write(wire); err != nil {
		return 0, false, err
	}
	line, err := rd.ReadSlice('\n')
	if err != nil {
		return 0, false, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, false, fmt.Errorf("bad status line %q", line)
	}
	if status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, false, fmt.Errorf("bad status line %q", line)
	}
	keep = line[7] == '1'
	length := int64(-1)
	chunked := false
	for {
		h, err := rd.ReadSlice('\n')
		if err != nil {
			return 0, false, err
		}
		if len(h) <= 2 {
			break
		}
		colon := bytes.IndexByte(h, ':')
		if colon < 0 {
			continue
		}
		// Case-insensitive comparisons in place: nothing here allocates per request.
		name := bytes.TrimSpace(h[:colon])
		value := bytes.TrimSpace(h[colon+1:])
		switch {
		case bytes.EqualFold(name, headerContentLength):
			if length, err = strconv.ParseInt(string(value), 10, 64); err != nil {
				return 0, false, fmt.Errorf("bad content-length %q", value)
			}
		case bytes.EqualFold(name, headerTransferEncoding):
			chunked = containsFold(value, tokenChunked)
		case bytes.EqualFold(name, headerConnection):
			if bytes.EqualFold(value, tokenClose) {
				keep = false
			} else if bytes.EqualFold(value, tokenKeepAlive) {
				keep = true
			}
		}
	}
	switch {
	case chunked:
		for {
			sizeLine, err := rd.ReadSlice('\n')
			if err != nil {
				return 0, false, err
			}
			semi := bytes.IndexByte(sizeLine, ';')
			if semi < 0 {
				semi = len(sizeLine)
			}
			size, err := strconv.ParseInt(string(bytes.TrimSpace(sizeLine[:semi])), 16, 64)
			if err != nil {
				return 0, false, fmt.Errorf("bad chunk size %q", sizeLine)
			}
			if size == 0 {
				for { // trailers until the empty line
					t, err := rd.ReadSlice('\n')
					if err != nil {
						return 0, false, err
					}
					if len(t) <= 2 {
						return status, keep, nil
					}
				}
			}
			if _, err = rd.Discard(int(size) + 2); err != nil {
				return 0, false, err
			}
		}
	case length >= 0:
		_, err = rd.Discard(int(length))
		return status, keep, err
	default: // no length: the body runs to the end of the connection
		_, err = io.Copy(io.Discard, rd)
		return status, false, err
	}
}
