// Command goprof writes real CPU profiles for kiln's end-to-end tests: it
// burns CPU in a few named functions, each under pprof.Do labels carrying a
// trace_id (32 hex digits) and span_id (16 hex digits) like a traced request,
// plus one unlabeled function, and records runtime/pprof CPU profiles.
// Standard library only; prints the trace/span pairs it used, one per line.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"time"
)

var sink uint64

//go:noinline
func burnAlpha(until time.Time) {
	x := uint64(1)
	for time.Now().Before(until) {
		for i := 0; i < 20000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	sink += x
}

//go:noinline
func burnBeta(until time.Time) {
	x := uint64(7)
	for time.Now().Before(until) {
		for i := 0; i < 20000; i++ {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
		}
	}
	sink += x
}

//go:noinline
func burnGammaInner(n int) uint64 {
	s := uint64(0)
	for i := 0; i < n; i++ {
		s += uint64(i) * uint64(i)
	}
	return s
}

//go:noinline
func burnGamma(until time.Time) {
	for time.Now().Before(until) {
		sink += burnGammaInner(30000)
	}
}

//go:noinline
func burnUnlabeled(until time.Time) {
	x := uint64(3)
	for time.Now().Before(until) {
		for i := 0; i < 20000; i++ {
			x = x*x + 1
		}
	}
	sink += x
}

type job struct {
	name    string
	fn      func(time.Time)
	traceID string
	spanID  string
}

func main() {
	out := flag.String("out", "", "directory for cpu-N.pb.gz")
	n := flag.Int("n", 2, "profiles to write")
	dur := flag.Duration("dur", 600*time.Millisecond, "length of each profile")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: goprof -out DIR [-n N] [-dur D]")
		os.Exit(1)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for p := 0; p < *n; p++ {
		// Fixed, valid ids: profile p, job j.
		jobs := []job{
			{"alpha", burnAlpha, fmt.Sprintf("4bf92f3577b34da6a3ce929d0e0e47%02x", p*16+1), fmt.Sprintf("00f067aa0ba902%02x", p*16+1)},
			{"beta", burnBeta, fmt.Sprintf("0af7651916cd43dd8448eb211c8031%02x", p*16+2), fmt.Sprintf("b7ad6b71692033%02x", p*16+2)},
			{"gamma", burnGamma, fmt.Sprintf("5b8efff798038103d269b633813fc6%02x", p*16+3), fmt.Sprintf("c5c6a2b2e1e4f7%02x", p*16+3)},
		}
		path := filepath.Join(*out, fmt.Sprintf("cpu-%d.pb.gz", p))
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		until := time.Now().Add(*dur)
		var wg sync.WaitGroup
		for _, j := range jobs {
			j := j
			wg.Add(1)
			go func() {
				defer wg.Done()
				labels := pprof.Labels("trace_id", j.traceID, "span_id", j.spanID)
				pprof.Do(context.Background(), labels, func(context.Context) {
					j.fn(until)
				})
			}()
			fmt.Printf("%s %s %s %s\n", path, j.name, j.traceID, j.spanID)
		}
		wg.Add(1)
		go func() { defer wg.Done(); burnUnlabeled(until) }()
		wg.Wait()
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
