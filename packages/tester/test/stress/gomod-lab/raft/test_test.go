package raft

// Lab-shaped tests whose misbehaviour depends on RAFTLAB_ITER, so that a stress run of iterations
// 1..4 has failures the end-to-end test knows in advance:
//   TestBasicAgree3B  one(101) fails on iteration 1
//   TestRPCBytes3B    one(<5,000 random characters>) fails on iterations 1, 3 and 4
//   TestHelper3A      starts a process in its own session (setsid) on every iteration, and passes
//   TestHang3B        never returns on iteration 2: go test's -timeout panics

import (
	"os/exec"
	"testing"
	"time"
)

func TestBasicAgree3B(t *testing.T) {
	cfg := makeConfig(t)
	cfg.one(101, iteration() != 1)
}

func TestRPCBytes3B(t *testing.T) {
	cfg := makeConfig(t)
	cfg.one(randstring(5000), iteration() == 2)
}

func TestHelper3A(t *testing.T) {
	if err := exec.Command("setsid", "sleep", "1000").Start(); err != nil {
		t.Fatalf("setsid: %v", err)
	}
}

func TestHang3B(t *testing.T) {
	if iteration() == 2 {
		time.Sleep(time.Hour)
	}
}
