package store

import (
	"encoding/json"
	"errors"
	"os"
)

// The check mark: an integrity check at open that need not run again.
//
// OpenSQLite runs quick_check, which reads every page: on a large store that
// is most of the start-up of a short command such as `kedaitong crawl
// --once`. When the store was last closed cleanly by a process that had
// itself checked it (or trusted a valid mark), Close leaves a mark beside
// the database: the file's size, modification and change times, inode and
// device, taken once SQLite has checkpointed and removed the WAL. An open
// with SQLiteOptions.TrustCleanClose skips quick_check when the mark
// matches the file exactly and no WAL is left: nothing but this program's
// own SQLite connections wrote the file since it was checked. Anything
// else — a crash (the WAL is left), a writer still open in another process
// (it keeps the WAL), a restored or copied file, any write from outside —
// changes the file or leaves a WAL, and the check runs as before. The mark
// is advisory: a missing or unreadable one only means checking.

// checkMarkSuffix names the mark beside the database file.
const checkMarkSuffix = "-checked"

// checkMark identifies one state of the database file.
type checkMark struct {
	V     int    `json:"v"`
	Size  int64  `json:"size"`
	MTime int64  `json:"mtime_ns"`
	CTime int64  `json:"ctime_ns"`
	Ino   uint64 `json:"ino"`
	Dev   uint64 `json:"dev"`
}

// currentMark returns the file's identity; ok is false when the file is
// missing or a WAL with content is beside it.
func currentMark(path string) (checkMark, bool) {
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		return checkMark{}, false
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return checkMark{}, false
	}
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return checkMark{}, false
	}
	m := checkMark{V: 1, Size: fi.Size(), MTime: fi.ModTime().UnixNano()}
	m.CTime, m.Ino, m.Dev = fileIdentity(fi)
	return m, true
}

// checkMarkValid reports whether the mark beside path matches the file as
// it is now (call it before SQLite opens the file).
func checkMarkValid(path string) bool {
	data, err := os.ReadFile(path + checkMarkSuffix)
	if err != nil {
		return false
	}
	var want checkMark
	if err := json.Unmarshal(data, &want); err != nil || want.V != 1 {
		return false
	}
	have, ok := currentMark(path)
	return ok && have == want
}

// writeCheckMark leaves the mark of the file as it is now (after a clean
// close); it removes any older mark when the file cannot be marked.
func writeCheckMark(path string) {
	m, ok := currentMark(path)
	if !ok {
		os.Remove(path + checkMarkSuffix)
		return
	}
	data, _ := json.Marshal(m)
	tmp := path + checkMarkSuffix + ".tmp"
	if err := os.WriteFile(tmp, data, 0o640); err != nil {
		os.Remove(tmp)
		return
	}
	if err := os.Rename(tmp, path+checkMarkSuffix); err != nil {
		os.Remove(tmp)
	}
}
