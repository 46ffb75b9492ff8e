// A stand-in for a student's Raft in the shape of the 6.5840 lab (package raft, its tester in config.go
// and test_test.go), for raftlab stress's end-to-end test. It agrees on nothing on the iterations the
// tests choose (RAFTLAB_ITER), so the failures come from the tester's own lines.
package raft

import (
	"os"
	"strconv"
)

// iteration is the iteration number raftlab stress gives the run (0 when run by hand without it).
func iteration() int {
	n, err := strconv.Atoi(os.Getenv("RAFTLAB_ITER"))
	if err != nil {
		return 0
	}
	return n
}
