// Command goprof writes real CPU profiles for kiln's end-to-end tests: it
// burns CPU in a few named functions, each under pprof.Do labels carrying a
// trace_id (32 hex digits) and span_id (16 hex digits) like a traced request,
// plus one unlabeled function, and records runtime/pprof CPU profiles.
// Each burner runs on its own OS thread until that thread has used -cpu of
// CPU time, so every function gets samples even on a loaded machine.
// Standard library only; prints the trace/span pairs it used, one per line.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var sink uint64

// threadCPU is the CPU time used by the calling OS thread (RUSAGE_THREAD).
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// budget says whether the thread may burn on: less than b of CPU used since
// start, and the wall-clock deadline not passed.
type budget struct {
	start    time.Duration
	b        time.Duration
	deadline time.Time
}

func newBudget(b time.Duration, deadline time.Time) budget {
	return budget{threadCPU(), b, deadline}
}

func (u budget) more() bool {
	return threadCPU()-u.start < u.b && time.Now().Before(u.deadline)
}

//go:noinline
func burnAlpha(u budget) {
	x := uint64(1)
	for u.more() {
		for i := 0; i < 20000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	atomic.AddUint64(&sink, x)
}

//go:noinline
func burnBeta(u budget) {
	x := uint64(7)
	for u.more() {
		for i := 0; i < 20000; i++ {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
		}
	}
	atomic.AddUint64(&sink, x)
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
func burnGamma(u budget) {
	for u.more() {
		atomic.AddUint64(&sink, burnGammaInner(30000))
	}
}

//go:noinline
func burnUnlabeled(u budget) {
	x := uint64(3)
	for u.more() {
		for i := 0; i < 20000; i++ {
			x = x*x + 1
		}
	}
	atomic.AddUint64(&sink, x)
}

type job struct {
	name    string
	fn      func(budget)
	traceID string
	spanID  string
}

func main() {
	out := flag.String("out", "", "directory for cpu-N.pb.gz")
	n := flag.Int("n", 2, "profiles to write")
	cpu := flag.Duration("cpu", 200*time.Millisecond, "CPU time each function burns per profile")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: goprof -out DIR [-n N] [-cpu D]")
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
		deadline := time.Now().Add(60 * time.Second)
		var wg sync.WaitGroup
		for _, j := range jobs {
			j := j
			wg.Add(1)
			go func() {
				defer wg.Done()
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				labels := pprof.Labels("trace_id", j.traceID, "span_id", j.spanID)
				pprof.Do(context.Background(), labels, func(context.Context) {
					j.fn(newBudget(*cpu, deadline))
				})
			}()
			fmt.Printf("%s %s %s %s\n", path, j.name, j.traceID, j.spanID)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			burnUnlabeled(newBudget(*cpu, deadline))
		}()
		wg.Wait()
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
