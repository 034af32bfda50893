package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"sync"

	"kedaitong"
)

// sqliteFiles keeps files in one table of blobs.
type sqliteFiles struct {
	s    *SQLite
	once sync.Once
	err  error
}

// Files returns the store's file area.
func (s *SQLite) Files() Files {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files == nil {
		s.files = &sqliteFiles{s: s}
	}
	return s.files
}

func (f *sqliteFiles) init(ctx context.Context) error {
	f.once.Do(func() {
		_, err := f.s.wdb.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS kedai_files (id TEXT PRIMARY KEY, meta TEXT NOT NULL, data BLOB NOT NULL) WITHOUT ROWID`)
		if err != nil {
			f.err = sqliteErr(err, "create the file table")
		}
	})
	return f.err
}

func (f *sqliteFiles) PutFile(ctx context.Context, id string, meta FileMeta, r io.Reader, max int64) (FileMeta, error) {
	if err := checkFileID(id); err != nil {
		return FileMeta{}, err
	}
	if err := f.init(ctx); err != nil {
		return FileMeta{}, err
	}
	data, err := readLimited(r, max)
	if err != nil {
		return FileMeta{}, err
	}
	meta = completeMeta(meta, data)
	mb, err := json.Marshal(meta)
	if err != nil {
		return FileMeta{}, err
	}
	if err := f.s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO kedai_files (id, meta, data) VALUES (?, ?, ?)`, id, string(mb), data)
		return sqliteErr(err, "store file %s", id)
	}); err != nil {
		return FileMeta{}, err
	}
	return meta, nil
}

func (f *sqliteFiles) OpenFile(ctx context.Context, id string) (io.ReadCloser, FileMeta, error) {
	if err := checkFileID(id); err != nil {
		return nil, FileMeta{}, err
	}
	if err := f.init(ctx); err != nil {
		return nil, FileMeta{}, err
	}
	var mb string
	var data []byte
	err := f.s.rdb.QueryRowContext(ctx, `SELECT meta, data FROM kedai_files WHERE id = ?`, id).Scan(&mb, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, FileMeta{}, fileNotFound(id)
	}
	if err != nil {
		return nil, FileMeta{}, sqliteErr(err, "read file %s", id)
	}
	var meta FileMeta
	if err := json.Unmarshal([]byte(mb), &meta); err != nil {
		return nil, FileMeta{}, kedaitong.Wrap(kedaitong.EInternal, err, "file %s has broken metadata", id)
	}
	return io.NopCloser(bytes.NewReader(data)), meta, nil
}

func (f *sqliteFiles) DeleteFile(ctx context.Context, id string) error {
	if err := checkFileID(id); err != nil {
		return err
	}
	if err := f.init(ctx); err != nil {
		return err
	}
	return f.s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM kedai_files WHERE id = ?`, id)
		if err != nil {
			return sqliteErr(err, "delete file %s", id)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fileNotFound(id)
		}
		return nil
	})
}
