package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"kedaitong"
)

// Integrity. OpenSQLite runs SQLite's quick_check (every page and the
// structure of every b-tree, without matching indexes to their tables) for
// at most quickCheckFor; a damaged file is refused with ErrDamaged's
// message. `kedaitong check` runs the full integrity_check, which also
// matches every index entry to its row.

// quickCheckFor bounds the integrity check at open: a store too large to be
// checked in time opens unchecked (the full check is `kedaitong check`).
const quickCheckFor = 15 * time.Second

// maxProblems bounds the problems a check reports.
const maxProblems = 20

// errDamaged is the error of a database file that fails its integrity check.
func errDamaged(path string, problems []string, cause error) error {
	detail := strings.Join(problems, "; ")
	if detail == "" && cause != nil {
		detail = cause.Error()
	}
	return &kedaitong.Error{Code: kedaitong.EUnavailable, Err: cause,
		Message: fmt.Sprintf("the database %s is damaged (%s): stop every server on it, restore the latest backup (see the README, \"Backup and restore\") and run `kedaitong check`", path, detail),
		ZH:      fmt.Sprintf("数据库 %s 已损坏（%s）：请停止使用它的所有服务器，恢复最近的备份（见 README“备份与恢复”），然后运行 `kedaitong check`", path, detail)}
}

// IsDamaged reports whether err says that the store's file is damaged.
func IsDamaged(err error) bool {
	var ke *kedaitong.Error
	return errors.As(err, &ke) && ke.Code == kedaitong.EUnavailable && strings.Contains(ke.Message, "is damaged (")
}

// isCorrupt reports whether a driver error means a damaged file.
func isCorrupt(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return true
		}
	}
	return err != nil && (strings.Contains(err.Error(), "database disk image is malformed") || strings.Contains(err.Error(), "file is not a database"))
}

// quickCheck runs PRAGMA quick_check within quickCheckFor. A check that
// runs out of time passes (it is reported by the returned flag).
func (s *SQLite) quickCheck(ctx context.Context) (complete bool, err error) {
	cctx, cancel := context.WithTimeout(ctx, quickCheckFor)
	defer cancel()
	problems, err := s.pragmaCheck(cctx, "quick_check")
	if err != nil {
		if cctx.Err() != nil && ctx.Err() == nil {
			return false, nil
		}
		return false, err
	}
	if len(problems) > 0 {
		return true, errDamaged(s.path, problems, nil)
	}
	return true, nil
}

// pragmaCheck runs an integrity pragma and returns its problems (none when
// the answer is "ok"). A corrupt file that stops the pragma itself is
// ErrDamaged.
func (s *SQLite) pragmaCheck(ctx context.Context, pragma string) ([]string, error) {
	rows, err := s.rdb.QueryContext(ctx, fmt.Sprintf("PRAGMA %s(%d)", pragma, maxProblems))
	if err != nil {
		if isCorrupt(err) {
			return nil, errDamaged(s.path, nil, err)
		}
		return nil, sqliteErr(err, "integrity check")
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, sqliteErr(err, "integrity check")
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		if isCorrupt(err) {
			return nil, errDamaged(s.path, nil, err)
		}
		return nil, sqliteErr(err, "integrity check")
	}
	return problems, nil
}

// CheckReport is the answer of Check.
type CheckReport struct {
	Problems []string // what is damaged, one line each (at most 20); none when intact
}

// Check runs SQLite's full integrity_check: every page, every b-tree and
// every index entry against its row. A damaged file gives problems, not an
// error; err is for a check that could not run.
func (s *SQLite) Check(ctx context.Context) (CheckReport, error) {
	problems, err := s.pragmaCheck(ctx, "integrity_check")
	if IsDamaged(err) {
		var ke *kedaitong.Error
		errors.As(err, &ke)
		return CheckReport{Problems: []string{"the file cannot be read: " + ke.Err.Error()}}, nil
	}
	if err != nil {
		return CheckReport{}, err
	}
	return CheckReport{Problems: problems}, nil
}
