// A small Go module for raftlab stress's end-to-end test. Each test misbehaves on a fixed set of
// iterations, chosen from RAFTLAB_ITER (the iteration number raftlab stress sets), so a stress run of
// iterations 1..N has failure counts that the test can compute in advance.
package stressmod

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"
)

// iter is the iteration number raftlab stress gives the run (0 when run by hand without it).
func iter(t *testing.T) int {
	n, err := strconv.Atoi(os.Getenv("RAFTLAB_ITER"))
	if err != nil {
		return 0
	}
	return n
}

// TestDslogs prints dslogs-style lines (six-digit time, four-letter topic, "S<peer> ..." message), like
// a 6.5840 student's Raft does, and fails on iterations 4, 9, 14, ... with a log-size message.
func TestDslogs(t *testing.T) {
	it := iter(t)
	for term := 1; term <= 3; term++ {
		for peer := 0; peer < 3; peer++ {
			fmt.Printf("%06d TIMR S%d election timeout in T%d\n", term*1000+peer*10, peer, term)
			fmt.Printf("%06d VOTE S%d -> S%d RV T%d\n", term*1000+peer*10+1, peer, (peer+1)%3, term)
		}
		fmt.Printf("%06d LEAD S%d Achieved Majority for T%d (2), converting to Leader\n", term*1000+50, term%3, term)
	}
	if it%5 == 4 {
		t.Fatalf("Log size too large (%d bytes)", 8000+it*13)
	}
}

// TestFlaky fails on every third iteration with the 6.5840 tester's agreement message.
func TestFlaky(t *testing.T) {
	it := iter(t)
	fmt.Printf("Test (3B): flaky agreement (iteration %d) ...\n", it)
	if it > 0 && it%3 == 0 {
		t.Fatalf("one(%d) failed to reach agreement", 1000+it*37)
	}
	fmt.Printf("  ... Passed --\n")
}

// TestPanicky indexes out of range on iterations 1, 5, 9, ...; the panic ends the test binary, so
// the tests after it do not run in those iterations.
func TestPanicky(t *testing.T) {
	it := iter(t)
	log := make([]int, 5)
	idx := 0
	if it%4 == 1 {
		idx = it + 4
	}
	log[idx]++
}

// TestHang never returns on iteration 2 (a deadlocked Raft, say); raftlab stress --timeout stops it.
func TestHang(t *testing.T) {
	if iter(t) == 2 {
		var mu sync.Mutex
		mu.Lock()
		done := make(chan struct{})
		go func() {
			mu.Lock() // never acquired
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(time.Hour):
		}
	}
}

// TestRace has a data race on every run (two goroutines write counter unsynchronised); its own checks
// pass, so under -race only the race detector fails it.
func TestRace(t *testing.T) {
	counter := 0
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		counter++
		wg.Done()
	}()
	counter++
	wg.Wait()
	if counter < 1 {
		t.Fatalf("counter = %d", counter)
	}
}
