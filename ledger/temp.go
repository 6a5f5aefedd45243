package ledger

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Exports and workbooks are written to temporary files before they are
// sent (so a failure sends nothing half-written), and those files hold
// full ID numbers and phones. Nothing of it may stay on disk after a crash:
// TempFile's files have no name once created, and the xlsx library's own
// spill files go to a folder of this process's (SpillDir), which the next
// wangge process to start removes if this one died.

// TempFile creates a temporary file and removes its name at once: it lives
// while it is open, and a killed process leaves nothing behind.
func TempFile() (*os.File, error) {
	f, err := os.CreateTemp("", "wangge-tmp-*")
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

const spillPrefix = "wangge-spill-"

var spill struct {
	once sync.Once
	dir  string
}

// SpillDir returns this process's folder for the xlsx library's temporary
// files ("" for the system's, when it cannot be made). Making it first
// removes the folders of wangge processes no longer running.
func SpillDir() string {
	spill.once.Do(func() {
		sweepSpills(os.TempDir())
		dir, err := os.MkdirTemp("", spillPrefix+strconv.Itoa(os.Getpid())+"-*")
		if err == nil {
			spill.dir = dir
		}
	})
	return spill.dir
}

// sweepSpills removes the spill folders in tmp whose process has ended.
func sweepSpills(tmp string) {
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), spillPrefix)
		if !ok || !e.IsDir() {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid <= 0 || pid == os.Getpid() || alive(pid) {
			continue
		}
		os.RemoveAll(filepath.Join(tmp, e.Name()))
	}
}

// alive reports whether a process with the pid runs (or may: one of
// another user's answers EPERM).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
