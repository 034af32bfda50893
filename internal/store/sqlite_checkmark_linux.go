//go:build linux

package store

import (
	"os"
	"syscall"
)

// fileIdentity returns the change time, inode and device of a file.
func fileIdentity(fi os.FileInfo) (ctime int64, ino, dev uint64) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, 0
	}
	return st.Ctim.Sec*1e9 + st.Ctim.Nsec, uint64(st.Ino), uint64(st.Dev)
}
