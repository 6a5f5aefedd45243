//go:build unix

package sqlite

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// shmDMS is the byte of the -shm file on which every connection that has
// the WAL database open holds a shared lock for as long as it is open
// (UNIX_SHM_DMS in SQLite's os_unix.c, the same in modernc's translation).
const shmDMS = 128

// HeldByOther reports whether another process has the database open: a
// running server keeps its connections, and so that lock, open. Locks of
// this process are not seen (POSIX record locks belong to the process).
func HeldByOther(path string) (bool, error) {
	f, err := os.OpenFile(Path(path)+"-shm", os.O_RDONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil // no one has the database open in WAL mode
	} else if err != nil {
		return false, err
	}
	defer f.Close()
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0, Start: shmDMS, Len: 1}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk); err != nil {
		return false, err
	}
	return lk.Type != syscall.F_UNLCK, nil
}
