package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"unicode/utf8"
	"unsafe"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"kedaitong"
)

// SQLiteFile is the name of the database file inside the data folder.
const SQLiteFile = "kedaitong.db"

// sqMaxIDLen bounds document ids, in bytes.
const sqMaxIDLen = 512

// SQLite is the embedded backend: one database file in WAL mode, one table
// per collection (id, version, doc as JSON text; its layout in
// sqlite_layout.go) and one SQLite index per declared index over
// json_extract expressions. Reads use a small pool of
// connections; writes go through a single connection, so writers of one
// process queue in Go, while writers of other processes on the same folder
// wait on SQLite's lock (busy_timeout). Read-modify-write transactions begin
// IMMEDIATE, so they hold the write lock from their first statement.
type SQLite struct {
	path string
	opt  SQLiteOptions
	rdb  *sql.DB // readers
	wdb  *sql.DB // the one writer connection

	w     *sqWriter     // every write goes through it (group commit)
	ckpt  *checkpointer // WAL checkpoints off the write path (sqlite_checkpoint.go)
	space *spaceGuard   // refuses ordinary writes when the disk is nearly full
	ready readiness     // Writable's cached answer

	mu    sync.Mutex
	colls map[string]*sqliteColl
	files *sqliteFiles

	checked bool // the file passed its check at open (or carried a valid mark)
	onMark  bool // the check at open was skipped for a valid mark
}

// busyTimeoutMS is how long a statement waits for another writer's lock.
const busyTimeoutMS = 10000

// writerCacheKiB is the writer connection's page cache (readers have 32 MB
// each; a cache grows only as pages are used). Pages it evicts and changes
// again are read back from the WAL: with 32 MB, a first crawl's writer
// spent about 7 % of its time so (issue 19).
const writerCacheKiB = 128 << 10

// SQLiteOptions tunes OpenSQLiteWith; the zero value is what the server uses.
type SQLiteOptions struct {
	// NoSync turns fsync off (synchronous=OFF): a crash of the machine may
	// lose recent writes. For tests, which want a fresh database quickly.
	NoSync bool
	// CheckPlan, when set, is shown SQLite's EXPLAIN QUERY PLAN of every
	// Find and Count before it runs (filtered tells whether the query has
	// conditions); an error it returns fails the query. Tests set it so that
	// every query any code issues is proved to be served by an index.
	CheckPlan func(plan string, filtered bool) error
	// ReserveBytes is the disk space kept for essential writes (the audit
	// log): ordinary writes are refused once less is free. 0 chooses
	// 64 MiB or a twentieth of a smaller file system (at least 1 MiB); a
	// negative value keeps no reserve.
	ReserveBytes int64
	// FreeSpace, when set, replaces the file-system query for the free and
	// total bytes of the data folder (tests simulate a full disk with it).
	FreeSpace func(dir string) (free, total uint64, err error)
	// InjectWriteError, when set, is asked at each point of a write
	// transaction ("begin", "op" after each operation's statements,
	// "commit"); an error it returns fails the write there as a driver
	// error would (tests).
	InjectWriteError func(point string) error
	// SkipQuickCheck skips the integrity check at open.
	SkipQuickCheck bool
	// TrustCleanClose skips the integrity check at open when the file is
	// exactly as a process that had checked it left it at a clean close
	// (sqlite_checkmark.go). Short commands set it (`kedaitong crawl`).
	TrustCleanClose bool
}

// OpenSQLite opens (creating it when needed) the database <dir>/kedaitong.db.
// A folder that cannot be created or written is EUnavailable with a message
// that names it.
func OpenSQLite(ctx context.Context, dir string) (*SQLite, error) {
	return OpenSQLiteWith(ctx, dir, SQLiteOptions{})
}

// OpenSQLiteWith is OpenSQLite with options.
func OpenSQLiteWith(ctx context.Context, dir string, opt SQLiteOptions) (*SQLite, error) {
	if dir == "" {
		return nil, kedaitong.Errorf(kedaitong.EUnavailable, "the data folder is not set").ZHf("未设置数据目录")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, kedaitong.Wrap(kedaitong.EUnavailable, err, "data folder %s: cannot resolve its path", dir).ZHf("数据目录 %s：无法解析其路径", dir)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, kedaitong.Wrap(kedaitong.EUnavailable, err, "data folder %s cannot be created", abs).ZHf("无法创建数据目录 %s", abs)
	}
	probe, err := os.CreateTemp(abs, ".kedaitong-probe-*")
	if err != nil {
		return nil, kedaitong.Wrap(kedaitong.EUnavailable, err, "data folder %s is not writable", abs).ZHf("数据目录 %s 不可写", abs)
	}
	probe.Close()
	os.Remove(probe.Name())

	path := filepath.Join(abs, SQLiteFile)
	marked := opt.TrustCleanClose && !opt.SkipQuickCheck && checkMarkValid(path) // before SQLite opens the file
	dsn := func(params ...string) string {
		u := url.URL{Scheme: "file", Path: path, RawQuery: strings.Join(params, "&")}
		return u.String()
	}
	common := []string{
		fmt.Sprintf("_pragma=busy_timeout(%d)", busyTimeoutMS),
		"_pragma=cache_size(-32000)",
		"_pragma=mmap_size(268435456)",
		"_pragma=temp_store(memory)", // savepoints journal pages in memory, not in a temporary file
	}
	sync := "_pragma=synchronous(FULL)"
	if opt.NoSync {
		sync = "_pragma=synchronous(OFF)"
	}
	wdb, err := sql.Open("sqlite", dsn(append(common[:len(common):len(common)],
		fmt.Sprintf("_pragma=cache_size(-%d)", writerCacheKiB), // after the common one: this one holds
		"_pragma=journal_mode(WAL)",
		sync,
		fmt.Sprintf("_pragma=wal_autocheckpoint(%d)", walBackstopPages), // checkpoints run in the background (sqlite_checkpoint.go)
		"_txlock=immediate")...))
	if err != nil {
		return nil, kedaitong.Wrap(kedaitong.EUnavailable, err, "database %s cannot be opened", path).ZHf("无法打开数据库 %s", path)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	wdb.SetConnMaxIdleTime(0)

	var mode string
	if err := wdb.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		wdb.Close()
		if isCorrupt(err) {
			return nil, errDamaged(path, nil, err)
		}
		return nil, kedaitong.Wrap(kedaitong.EUnavailable, err, "database %s cannot be opened", path).ZHf("无法打开数据库 %s", path)
	}
	if mode != "wal" {
		wdb.Close()
		return nil, kedaitong.Errorf(kedaitong.EUnavailable, "database %s: journal mode is %q, want wal", path, mode).ZHf("数据库 %s：日志模式为 %q，应为 wal", path, mode)
	}
	// Take the write lock once so that a read-only file fails here, not on
	// the first user's write.
	if tx, err := wdb.BeginTx(ctx, nil); err != nil {
		wdb.Close()
		return nil, kedaitong.Wrap(kedaitong.EUnavailable, err, "database %s is not writable", path).ZHf("数据库 %s 不可写", path)
	} else if _, err := tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS kedai_meta (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID"); err != nil {
		tx.Rollback()
		wdb.Close()
		if isCorrupt(err) {
			return nil, errDamaged(path, nil, err)
		}
		return nil, kedaitong.Wrap(kedaitong.EUnavailable, err, "database %s is not writable", path).ZHf("数据库 %s 不可写", path)
	} else if err := tx.Commit(); err != nil {
		wdb.Close()
		return nil, kedaitong.Wrap(kedaitong.EUnavailable, err, "database %s is not writable", path).ZHf("数据库 %s 不可写", path)
	}

	rdb, err := sql.Open("sqlite", dsn(common...))
	if err != nil {
		wdb.Close()
		return nil, kedaitong.Wrap(kedaitong.EUnavailable, err, "database %s cannot be opened", path).ZHf("无法打开数据库 %s", path)
	}
	// Readers are cheap in WAL mode; a pool larger than the cores keeps a
	// descheduled holder from stalling every other request.
	n := max(16, 4*runtime.NumCPU())
	rdb.SetMaxOpenConns(n)
	rdb.SetMaxIdleConns(n)
	rdb.SetConnMaxLifetime(0)
	rdb.SetConnMaxIdleTime(0)
	if err := rdb.PingContext(ctx); err != nil {
		wdb.Close()
		rdb.Close()
		return nil, kedaitong.Wrap(kedaitong.EUnavailable, err, "database %s cannot be opened", path).ZHf("无法打开数据库 %s", path)
	}
	s := &SQLite{path: path, opt: opt, rdb: rdb, wdb: wdb, colls: map[string]*sqliteColl{}, space: newSpaceGuard(abs, opt)}
	if marked {
		s.checked, s.onMark = true, true
	} else if !opt.SkipQuickCheck {
		complete, err := s.quickCheck(ctx)
		if err != nil {
			wdb.Close()
			rdb.Close()
			return nil, err
		}
		s.checked = complete
	}
	cdb, err := sql.Open("sqlite", dsn(append(common, sync)...))
	if err != nil {
		wdb.Close()
		rdb.Close()
		return nil, kedaitong.Wrap(kedaitong.EUnavailable, err, "database %s cannot be opened", path).ZHf("无法打开数据库 %s", path)
	}
	s.ckpt = newCheckpointer(cdb)
	s.w = newSQWriter(s)
	return s, nil
}

// Path returns the database file's path.
func (s *SQLite) Path() string { return s.path }

// Backend names the backend: "sqlite".
func (s *SQLite) Backend() string { return "sqlite" }

// Ping reports whether the database answers; EUnavailable when not.
func (s *SQLite) Ping(ctx context.Context) error {
	var n int64
	if err := s.rdb.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		return sqliteErr(err, "ping")
	}
	return nil
}

// Close releases the database.
func (s *SQLite) Close() error {
	s.w.close()
	err0 := s.ckpt.close()
	err1 := s.rdb.Close()
	err2 := s.wdb.Close()
	if err := errors.Join(err0, err1, err2); err != nil {
		return fmt.Errorf("store: close %s: %w", s.path, err)
	}
	if s.checked {
		writeCheckMark(s.path)
	}
	return nil
}

// Backup writes a consistent copy of the database to outFile (with VACUUM
// INTO) while the database stays in use. An existing outFile is EConflict:
// it is never overwritten.
func (s *SQLite) Backup(ctx context.Context, outFile string) error {
	if outFile == "" {
		return kedaitong.Invalid("out", "the backup file is not set").ZHf("未指定备份文件")
	}
	if _, err := os.Lstat(outFile); err == nil {
		return kedaitong.Errorf(kedaitong.EConflict, "backup file %s already exists; it is never overwritten", outFile).ZHf("备份文件 %s 已存在；备份从不覆盖已有文件", outFile)
	} else if !errors.Is(err, os.ErrNotExist) {
		return kedaitong.Wrap(kedaitong.EUnavailable, err, "backup file %s cannot be checked", outFile).ZHf("无法检查备份文件 %s", outFile)
	}
	if _, err := s.rdb.ExecContext(ctx, "VACUUM INTO ?", outFile); err != nil {
		return sqliteErr(err, "backup to %s", outFile)
	}
	return nil
}

// Collection declares a collection and its indexes (creating them
// idempotently) and returns a handle to it.
func (s *SQLite) Collection(ctx context.Context, def CollectionDef) (Collection, error) {
	if err := ValidateDef(def); err != nil {
		return nil, err
	}
	if strings.HasPrefix(def.Name, "sqlite_") || def.Name == "kedai_meta" {
		return nil, kedaitong.Errorf(kedaitong.EInvalid, "collection name %q is reserved", def.Name).ZHf("集合名 %q 是保留名称", def.Name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.colls[def.Name]
	if c == nil {
		c = &sqliteColl{s: s, name: def.Name, table: sqIdent(def.Name)}
		c.def.Name = def.Name
		c.def.Large = def.Large // the first declaration in this process chooses the layout of a new table
	}
	var add []Index
	for _, ix := range def.Indexes {
		if !c.hasIndex(ix) {
			add = append(add, Index{Fields: append([]string(nil), ix.Fields...), Unique: ix.Unique})
		}
	}
	if _, known := s.colls[def.Name]; !known || len(add) > 0 {
		if err := c.create(ctx, add); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	c.def.Indexes = append(c.def.Indexes, add...)
	c.mu.Unlock()
	s.colls[def.Name] = c
	return c, nil
}

// sqliteColl is one collection of a SQLite store, shared by every handle
// declared with its name.
type sqliteColl struct {
	s     *SQLite
	name  string
	table string // quoted

	mu  sync.RWMutex
	def CollectionDef // the union of every declaration's indexes

	get preparedStmt // Get's statement (sqlite_stmt.go)
	w   writeStmts   // the writer's statements (sqlite_stmt.go)
}

func (c *sqliteColl) hasIndex(ix Index) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, have := range c.def.Indexes {
		if IndexName(c.name, have) == IndexName(c.name, ix) {
			return true
		}
	}
	return false
}

func (c *sqliteColl) snapshot() CollectionDef {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return CollectionDef{Name: c.def.Name, Indexes: c.def.Indexes[:len(c.def.Indexes):len(c.def.Indexes)]}
}

// create makes the table and the indexes in one immediate transaction.
func (c *sqliteColl) create(ctx context.Context, add []Index) error {
	tx, err := c.s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return sqliteErr(err, "declare collection %s", c.name)
	}
	defer tx.Rollback()
	stmts := []string{c.createTableSQL()}
	for _, ix := range add {
		exprs := make([]string, len(ix.Fields))
		for i, f := range ix.Fields {
			exprs[i] = sqField(f)
		}
		u := ""
		if ix.Unique {
			u = "UNIQUE "
		} else {
			// Naming id makes (fields..., id) the index's declared key, so
			// the planner serves row-value cursors and ORDER BY ..., id with it.
			exprs = append(exprs, "id")
		}
		stmts = append(stmts, fmt.Sprintf("CREATE %sINDEX IF NOT EXISTS %s ON %s (%s)",
			u, sqIdent(IndexName(c.name, ix)), c.table, strings.Join(exprs, ", ")))
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return sqliteErr(err, "declare collection %s", c.name)
		}
	}
	if err := tx.Commit(); err != nil {
		return sqliteErr(err, "declare collection %s", c.name)
	}
	return nil
}

// Get decodes the document with the id into out and returns its version.
func (c *sqliteColl) Get(ctx context.Context, id string, out any) (int64, error) {
	if err := sqCheckID(id); err != nil {
		return 0, err
	}
	var version int64
	var data []byte
	stmt, err := c.get.on(ctx, c.s.rdb, "SELECT version, doc FROM "+c.table+" WHERE id = ?")
	if err != nil {
		return 0, sqliteErr(err, "get %s %q", c.name, id)
	}
	err = stmt.QueryRowContext(ctx, id).Scan(&version, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, kedaitong.Errorf(kedaitong.ENotFound, "%s %q not found", c.name, id).ZHf("未找到 %s %q", c.name, id)
	}
	if err != nil {
		return 0, sqliteErr(err, "get %s %q", c.name, id)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return 0, fmt.Errorf("store: decode %s %q: %w", c.name, id, err)
		}
	}
	return version, nil
}

// Insert stores a new document at version 1.
func (c *sqliteColl) Insert(ctx context.Context, id string, doc any) error {
	if err := sqCheckID(id); err != nil {
		return err
	}
	data, err := sqMarshal(doc)
	if err != nil {
		return err
	}
	q := c.insertSQL()
	ps := c.wstmt(ctx, &c.w.insert, q)
	return c.s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		st, err := txStmt(ctx, tx, ps, q)
		if err == nil {
			_, err = st.ExecContext(ctx, id, data)
		}
		return sqliteErr(err, "insert %s %q", c.name, id)
	})
}

// insertSQL is the statement that inserts a new document (id, doc).
func (c *sqliteColl) insertSQL() string {
	return "INSERT INTO " + c.table + " (id, version, doc) VALUES (?, 1, ?)"
}

// Replace overwrites the document when its version is still version.
func (c *sqliteColl) Replace(ctx context.Context, id string, version int64, doc any) (int64, error) {
	if err := sqCheckID(id); err != nil {
		return 0, err
	}
	data, err := sqMarshal(doc)
	if err != nil {
		return 0, err
	}
	var next int64
	uq := "UPDATE " + c.table + " SET version = version + 1, doc = ? WHERE id = ? AND version = ? RETURNING version"
	ups := c.wstmt(ctx, &c.w.update, uq)
	err = c.s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		st, err := txStmt(ctx, tx, ups, uq)
		if err == nil {
			err = st.QueryRowContext(ctx, data, id, version).Scan(&next)
		}
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return sqliteErr(err, "replace %s %q", c.name, id)
		}
		// Read in the same transaction: the answer is the state the
		// guarded update saw.
		var now int64
		err = tx.QueryRowContext(ctx, "SELECT version FROM "+c.table+" WHERE id = ?", id).Scan(&now)
		if errors.Is(err, sql.ErrNoRows) {
			return kedaitong.Errorf(kedaitong.ENotFound, "%s %q not found", c.name, id).ZHf("未找到 %s %q", c.name, id)
		}
		if err != nil {
			return sqliteErr(err, "replace %s %q", c.name, id)
		}
		return kedaitong.Errorf(kedaitong.EConflict, "%s %q was changed by someone else (version %d, not %d); reload and try again", c.name, id, now, version).ZHf("%s %q 已被他人修改（当前版本 %d，而不是 %d），请刷新后重试", c.name, id, now, version)
	})
	if err != nil {
		return 0, err
	}
	return next, nil
}

// Delete removes the document.
func (c *sqliteColl) Delete(ctx context.Context, id string) error {
	if err := sqCheckID(id); err != nil {
		return err
	}
	q := "DELETE FROM " + c.table + " WHERE id = ?"
	ps := c.wstmt(ctx, &c.w.delete, q)
	return c.s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		st, err := txStmt(ctx, tx, ps, q)
		var res sql.Result
		if err == nil {
			res, err = st.ExecContext(ctx, id)
		}
		if err != nil {
			return sqliteErr(err, "delete %s %q", c.name, id)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return sqliteErr(err, "delete %s %q", c.name, id)
		}
		if n == 0 {
			return kedaitong.Errorf(kedaitong.ENotFound, "%s %q not found", c.name, id).ZHf("未找到 %s %q", c.name, id)
		}
		return nil
	})
}

// Find returns the documents matching q, sorted by q.Sort then id.
func (c *sqliteColl) Find(ctx context.Context, q Query) (Page, error) {
	sq, err := c.buildFind(q)
	if err != nil {
		return Page{}, err
	}
	if err := c.checkPlan(ctx, q, false); err != nil {
		return Page{}, err
	}
	if sq.none {
		return Page{}, nil
	}
	rows, err := c.s.rdb.QueryContext(ctx, sq.text, sq.args...)
	if err != nil {
		return Page{}, sqliteErr(err, "find in %s", c.name)
	}
	defer rows.Close()
	var page Page
	var lastSort any
	more := false
	for rows.Next() {
		if q.Limit > 0 && len(page.Docs) == q.Limit {
			more = true
			break
		}
		var d Doc
		var data []byte
		dest := []any{&d.ID, &d.Version, &data}
		if sq.sorted {
			dest = append(dest, &lastSort)
		}
		if err := rows.Scan(dest...); err != nil {
			return Page{}, sqliteErr(err, "find in %s", c.name)
		}
		d.Data = data
		page.Docs = append(page.Docs, d)
	}
	if err := rows.Err(); err != nil {
		return Page{}, sqliteErr(err, "find in %s", c.name)
	}
	if more {
		last := page.Docs[len(page.Docs)-1]
		if page.Next, err = EncodeCursor(lastSort, last.ID); err != nil {
			return Page{}, err
		}
	}
	return page, nil
}

// Count returns how many documents match q's filters.
func (c *sqliteColl) Count(ctx context.Context, q Query) (int64, error) {
	sq, err := c.buildCount(q)
	if err != nil {
		return 0, err
	}
	if err := c.checkPlan(ctx, q, true); err != nil {
		return 0, err
	}
	if sq.none {
		return 0, nil
	}
	var n int64
	if err := c.s.rdb.QueryRowContext(ctx, sq.text, sq.args...).Scan(&n); err != nil {
		return 0, sqliteErr(err, "count in %s", c.name)
	}
	return n, nil
}

// Incr atomically adds deltas to integer fields of the document, creating
// it from init when it does not exist. It is one upsert statement; the
// update only happens when every field is absent, null or an integer that
// does not overflow, otherwise it is EInvalid.
func (c *sqliteColl) Incr(ctx context.Context, id string, init map[string]any, deltas map[string]int64) (Doc, error) {
	if err := sqCheckID(id); err != nil {
		return Doc{}, err
	}
	fields := make([]string, 0, len(deltas))
	for f := range deltas {
		if !validName(f) {
			return Doc{}, kedaitong.Errorf(kedaitong.EInvalid, "counter field %q is not allowed", f).ZHf("不允许计数字段 %q", f)
		}
		fields = append(fields, f)
	}
	sort.Strings(fields)
	first := make(map[string]any, len(init)+len(deltas))
	for k, v := range init {
		first[k] = v
	}
	for _, f := range fields {
		start, err := sqInt64(first[f])
		if err != nil {
			return Doc{}, kedaitong.Errorf(kedaitong.EInvalid, "counter field %q: initial value %v is not an integer", f, first[f]).ZHf("计数字段 %q 的初始值 %v 不是整数", f, first[f])
		}
		sum, ok := sqAdd(start, deltas[f])
		if !ok {
			return Doc{}, kedaitong.Errorf(kedaitong.EInvalid, "counter field %q would overflow", f).ZHf("计数字段 %q 将会溢出", f)
		}
		first[f] = sum
	}
	data, err := sqMarshal(first)
	if err != nil {
		return Doc{}, err
	}
	args := []any{id, data}
	set := "doc"
	where := "1"
	if len(fields) > 0 {
		var sets, conds []string
		for i, f := range fields {
			p := fmt.Sprintf("?%d", i+3)
			e := sqField(f)
			sets = append(sets, fmt.Sprintf("'$.%s', coalesce(%s, 0) + %s", f, e, p))
			conds = append(conds, fmt.Sprintf("(json_type(doc, '$.%s') IS NULL OR json_type(doc, '$.%s') = 'null' OR json_type(doc, '$.%s') = 'integer' AND typeof(%s + %s) = 'integer')", f, f, f, e, p))
			args = append(args, deltas[f])
		}
		set = "json_set(doc, " + strings.Join(sets, ", ") + ")"
		where = strings.Join(conds, " AND ")
	}
	text := "INSERT INTO " + c.table + " (id, version, doc) VALUES (?1, 1, ?2) ON CONFLICT (id) DO UPDATE SET version = version + 1, doc = " +
		set + " WHERE " + where + " RETURNING id, version, doc"
	var d Doc
	var out []byte
	err = c.s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, text, args...).Scan(&d.ID, &d.Version, &out)
		if errors.Is(err, sql.ErrNoRows) {
			return kedaitong.Errorf(kedaitong.EInvalid, "%s %q: counter fields %v must be integers that do not overflow", c.name, id, fields).ZHf("%s %q：计数字段 %v 必须是不会溢出的整数", c.name, id, fields)
		}
		return sqliteErr(err, "increment %s %q", c.name, id)
	})
	if err != nil {
		return Doc{}, err
	}
	d.Data = out
	return d, nil
}

// ExplainFind returns SQLite's EXPLAIN QUERY PLAN for the statement Find
// would run for q on the declared collection coll, one step a line, so tests
// can check that an index serves it.
func (s *SQLite) ExplainFind(ctx context.Context, coll string, q Query) (string, error) {
	return s.explain(ctx, coll, q, false)
}

// ExplainCount is ExplainFind for the statement Count would run.
func (s *SQLite) ExplainCount(ctx context.Context, coll string, q Query) (string, error) {
	return s.explain(ctx, coll, q, true)
}

func (s *SQLite) explain(ctx context.Context, coll string, q Query, count bool) (string, error) {
	s.mu.Lock()
	c := s.colls[coll]
	s.mu.Unlock()
	if c == nil {
		return "", kedaitong.Errorf(kedaitong.ENotFound, "collection %q is not declared", coll).ZHf("集合 %q 未声明", coll)
	}
	build := c.buildFind
	if count {
		build = c.buildCount
	}
	sq, err := build(q)
	if err != nil {
		return "", err
	}
	if sq.none {
		return "", nil
	}
	rows, err := s.rdb.QueryContext(ctx, "EXPLAIN QUERY PLAN "+sq.text, sq.args...)
	if err != nil {
		return "", sqliteErr(err, "explain")
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int64
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", sqliteErr(err, "explain")
		}
		lines = append(lines, detail)
	}
	if err := rows.Err(); err != nil {
		return "", sqliteErr(err, "explain")
	}
	return strings.Join(lines, "\n"), nil
}

// bulkInsert inserts n documents made by gen in transactions of batch
// documents; it exists for benchmarks and tools that load much data.
func (c *sqliteColl) bulkInsert(ctx context.Context, n, batch int, gen func(i int) (string, any)) error {
	for start := 0; start < n; start += batch {
		tx, err := c.s.wdb.BeginTx(ctx, nil)
		if err != nil {
			return sqliteErr(err, "bulk insert into %s", c.name)
		}
		st, err := tx.PrepareContext(ctx, "INSERT INTO "+c.table+" (id, version, doc) VALUES (?, 1, ?)")
		if err != nil {
			tx.Rollback()
			return sqliteErr(err, "bulk insert into %s", c.name)
		}
		for i := start; i < min(n, start+batch); i++ {
			id, doc := gen(i)
			data, err := sqMarshal(doc)
			if err == nil {
				_, err = st.ExecContext(ctx, id, data)
			}
			if err != nil {
				tx.Rollback()
				return sqliteErr(err, "bulk insert into %s", c.name)
			}
		}
		st.Close()
		if err := tx.Commit(); err != nil {
			return sqliteErr(err, "bulk insert into %s", c.name)
		}
	}
	return nil
}

// sqlQuery is a statement built for Find or Count.
type sqlQuery struct {
	text   string
	args   []any
	sorted bool // the fourth column is the sort value
	none   bool // an empty membership list: nothing matches
}

// where builds the filter conditions of q under plan.
func (c *sqliteColl) where(q Query, plan Plan) (conds []string, args []any, none bool) {
	for _, f := range plan.EqOrder {
		if v, ok := q.Eq[f]; ok {
			conds = append(conds, sqField(f)+" = ?")
			args = append(args, sqValue(v))
			continue
		}
		vs := q.In[f]
		if len(vs) == 0 {
			return nil, nil, true
		}
		marks := strings.Repeat("?, ", len(vs))
		conds = append(conds, sqField(f)+" IN ("+marks[:len(marks)-2]+")")
		for _, v := range vs {
			args = append(args, sqValue(v))
		}
	}
	if r := q.Range; r != nil {
		e := sqField(r.Field)
		for _, b := range []struct {
			op string
			v  any
		}{{">=", r.Gte}, {">", r.Gt}, {"<=", r.Lte}, {"<", r.Lt}} {
			if b.v != nil {
				conds = append(conds, e+" "+b.op+" ?")
				args = append(args, sqValue(b.v))
			}
		}
	}
	return conds, args, false
}

func (c *sqliteColl) buildCount(q Query) (sqlQuery, error) {
	plan, err := PlanQuery(c.snapshot(), q)
	if err != nil {
		return sqlQuery{}, err
	}
	conds, args, none := c.where(q, plan)
	if none {
		return sqlQuery{none: true}, nil
	}
	text := "SELECT count(*) FROM " + c.table
	if len(conds) > 0 {
		text += " WHERE " + strings.Join(conds, " AND ")
	}
	return sqlQuery{text: text, args: args}, nil
}

// maxArms bounds the membership combinations Find merges one by one.
const maxArms = 32

func (c *sqliteColl) buildFind(q Query) (sqlQuery, error) {
	plan, err := PlanQuery(c.snapshot(), q)
	if err != nil {
		return sqlQuery{}, err
	}
	var sv any
	var after string
	if q.After != "" {
		if sv, after, err = DecodeCursor(q.After); err != nil {
			return sqlQuery{}, err
		}
	}
	sq := sqlQuery{sorted: plan.Sort != ""}
	dir := ""
	if q.Desc {
		dir = " DESC"
	}
	limit := ""
	if q.Limit > 0 {
		limit = fmt.Sprintf(" LIMIT %d", q.Limit+1)
	}
	// Membership conditions break the index's order; when there are few
	// combinations, each becomes an equality query in index order and SQLite
	// merges the sorted arms (MERGE (UNION ALL)) instead of sorting them all.
	arms := []Query{q}
	if n := inCombinations(q); n == 0 {
		return sqlQuery{none: true}, nil
	} else if n > 1 && n <= maxArms {
		arms = expandIn(q)
	}
	var texts []string
	for _, arm := range arms {
		text, args := c.findArm(arm, plan, sv, after, dir, limit, len(arms) > 1)
		texts = append(texts, text)
		sq.args = append(sq.args, args...)
	}
	if len(texts) == 1 {
		sq.text = texts[0]
		return sq, nil
	}
	order := "1" + dir
	if sq.sorted {
		order = "4" + dir + ", 1" + dir
	}
	sq.text = strings.Join(texts, " UNION ALL ") + " ORDER BY " + order + limit
	return sq, nil
}

// findArm builds the SELECT of one query whose cursor is (sv, after). An arm
// of a compound gets no ORDER BY or LIMIT: the compound's, which orders by
// the columns' positions, serves every arm.
func (c *sqliteColl) findArm(q Query, plan Plan, sv any, after, dir, limit string, compound bool) (string, []any) {
	conds, args, _ := c.where(q, plan)
	if after != "" {
		switch {
		case plan.Sort == "":
			conds = append(conds, "id "+cmpOp(q.Desc)+" ?")
			args = append(args, after)
		case sv == nil && !q.Desc: // NULL sorts first
			e := sqField(plan.Sort)
			conds = append(conds, "("+e+" IS NULL AND id > ? OR "+e+" IS NOT NULL)")
			args = append(args, after)
		case sv == nil: // NULL sorts last
			e := sqField(plan.Sort)
			conds = append(conds, e+" IS NULL AND id < ?")
			args = append(args, after)
		default:
			// The plain bound lets every index search from the cursor; the
			// row value then skips the ties already seen.
			e := sqField(plan.Sort)
			op := cmpOp(q.Desc)
			conds = append(conds, e+" "+op+"= ?", "("+e+", id) "+op+" (?, ?)")
			args = append(args, sqValue(sv), sqValue(sv), after)
		}
	}
	cols := "id, version, doc"
	order := "id" + dir
	if plan.Sort != "" {
		e := sqField(plan.Sort)
		cols += ", " + e
		order = e + dir + ", id" + dir
	}
	var b strings.Builder
	b.WriteString("SELECT " + cols + " FROM " + c.table)
	if plan.Index != nil {
		b.WriteString(" INDEXED BY " + sqIdent(IndexName(c.name, *plan.Index)))
	}
	if len(conds) > 0 {
		b.WriteString(" WHERE " + strings.Join(conds, " AND "))
	}
	if !compound {
		b.WriteString(" ORDER BY " + order + limit)
	}
	return b.String(), args
}

// valueKey identifies a scalar as SQLite compares it: 1, int64(1) and 1.0
// are one value, "1" another.
func valueKey(v any) string {
	v = sqValue(v)
	if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1<<63 {
		v = int64(f)
	}
	return fmt.Sprintf("%T:%v", v, v)
}

func cmpOp(desc bool) string {
	if desc {
		return "<"
	}
	return ">"
}

// inCombinations is the number of value combinations of q's membership
// conditions (0 when a list is empty), capped above maxArms.
func inCombinations(q Query) int {
	n := 1
	for _, vs := range q.In {
		n *= len(vs)
		if n > maxArms {
			return maxArms + 1
		}
	}
	return n
}

// expandIn turns q's membership conditions into one equality query per
// combination of values.
func expandIn(q Query) []Query {
	fields := make([]string, 0, len(q.In))
	for f := range q.In {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	arms := []map[string]any{{}}
	for _, f := range fields {
		var next []map[string]any
		seen := map[string]bool{}
		var vals []any
		for _, v := range q.In[f] {
			if k := valueKey(v); !seen[k] {
				seen[k] = true
				vals = append(vals, v)
			}
		}
		for _, eq := range arms {
			for _, v := range vals {
				m := make(map[string]any, len(eq)+1)
				for k, x := range eq {
					m[k] = x
				}
				m[f] = v
				next = append(next, m)
			}
		}
		arms = next
	}
	out := make([]Query, len(arms))
	for i, extra := range arms {
		a := q
		a.In = nil
		a.Eq = make(map[string]any, len(q.Eq)+len(extra))
		for k, v := range q.Eq {
			a.Eq[k] = v
		}
		for k, v := range extra {
			a.Eq[k] = v
		}
		out[i] = a
	}
	return out
}

// sqField is the SQL expression of a top-level field; f is a valid name,
// so it needs no quoting. Indexes are built on exactly this text.
func sqField(f string) string { return "json_extract(doc, '$." + f + "')" }

func sqIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// sqValue converts a checked scalar to a value SQLite compares as the JSON
// value json_extract yields: integers as int64, booleans as 0 or 1.
func sqValue(v any) any {
	switch x := v.(type) {
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case float32:
		return float64(x)
	}
	return v
}

// sqInt64 reads an initial counter value; nil is 0.
func sqInt64(v any) (int64, error) {
	switch x := v.(type) {
	case nil:
		return 0, nil
	case int:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case json.Number:
		return x.Int64()
	case float64:
		if x == float64(int64(x)) && x >= -1<<53 && x <= 1<<53 {
			return int64(x), nil
		}
	}
	return 0, fmt.Errorf("%T is not an integer", v)
}

// sqAdd adds without overflowing; ok is false when it would.
func sqAdd(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

// sqCheckID refuses ids no backend can store alike.
func sqCheckID(id string) error {
	if id == "" {
		return kedaitong.Invalid("id", "must not be empty").ZHf("编号不能为空")
	}
	if len(id) > sqMaxIDLen || !utf8.ValidString(id) {
		return kedaitong.Invalid("id", "must be valid UTF-8 of at most %d bytes", sqMaxIDLen).ZHf("编号必须是不超过 %d 字节的有效 UTF-8", sqMaxIDLen)
	}
	return nil
}

// sqMarshal encodes a document, which must be a JSON object, as the text
// the doc column holds. It is bound as TEXT, not as a BLOB: SQLite's JSON
// functions parse a text argument once per statement and reuse the parse
// (its JSON cache takes text only), so the json_extract of every
// expression index of a write parses the document once instead of once per
// index — a tenth of a millisecond per audit entry, with its 20 indexes
// (issue 19). Documents stored as BLOBs before read and index the same.
func sqMarshal(doc any) (string, error) {
	b, err := json.Marshal(doc)
	if err != nil {
		return "", kedaitong.Wrap(kedaitong.EInvalid, err, "the document cannot be stored as JSON").ZHf("文档无法存储为 JSON")
	}
	if len(b) == 0 || b[0] != '{' {
		return "", kedaitong.Errorf(kedaitong.EInvalid, "a document must be a JSON object, not %.20s", b).ZHf("文档必须是 JSON 对象，而不是 %.20s", b)
	}
	// The bytes are json.Marshal's own and never change: the string shares
	// them instead of copying (2 % of a first crawl's CPU was the copy).
	return unsafe.String(unsafe.SliceData(b), len(b)), nil
}

// sqliteErr turns a database error into the kedaitong vocabulary; what it
// cannot classify stays an uncoded (internal) error wrapping the cause.
func sqliteErr(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(format, args...)
	var ke *kedaitong.Error
	if errors.As(err, &ke) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return kedaitong.Wrap(kedaitong.EUnavailable, err, "%s: the store did not answer in time", what).ZHf("存储未能及时响应")
	}
	if errors.Is(err, sql.ErrConnDone) || strings.Contains(err.Error(), "database is closed") {
		return kedaitong.Wrap(kedaitong.EUnavailable, err, "%s: the store is closed", what).ZHf("存储已关闭")
	}
	if errors.Is(err, syscall.ENOSPC) || strings.Contains(err.Error(), "database or disk is full") || strings.Contains(err.Error(), "no space left on device") {
		return errStorageFull(fmt.Errorf("%s: %w", what, err))
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		// Constraint errors do not keep the driver's text ("UNIQUE
		// constraint failed: ..."): the code and our message say it all.
		if se.Code()&0xff == sqlite3.SQLITE_FULL {
			return errStorageFull(fmt.Errorf("%s: %w", what, err))
		}
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return kedaitong.Errorf(kedaitong.EConflict, "%s: a document with this id already exists", what).ZHf("已存在相同编号的文档")
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			return kedaitong.Errorf(kedaitong.EConflict, "%s: another document already has this unique key", what).ZHf("已有其他文档使用了这个唯一键")
		}
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return kedaitong.Wrap(kedaitong.EUnavailable, err, "%s: the database file is damaged; an operator must run `kedaitong check` and restore the latest backup", what).ZHf("数据库文件已损坏，请运维人员运行 `kedaitong check` 并恢复最近的备份")
		case sqlite3.SQLITE_CONSTRAINT:
			return kedaitong.Errorf(kedaitong.EConflict, "%s: a constraint is broken", what).ZHf("违反了约束条件")
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return kedaitong.Wrap(kedaitong.EUnavailable, err, "%s: the database stayed busy", what).ZHf("数据库持续繁忙")
		case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY,
			sqlite3.SQLITE_PROTOCOL, sqlite3.SQLITE_NOLFS, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH:
			return kedaitong.Wrap(kedaitong.EUnavailable, err, "%s: the database file cannot be used", what).ZHf("数据库文件无法使用")
		case sqlite3.SQLITE_INTERRUPT:
			return kedaitong.Wrap(kedaitong.EUnavailable, err, "%s: the store did not answer in time", what).ZHf("存储未能及时响应")
		case sqlite3.SQLITE_TOOBIG:
			return kedaitong.Wrap(kedaitong.ETooLarge, err, "%s: the document is too large", what).ZHf("文档过大")
		}
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// Interface checks.
var (
	_ Store      = (*SQLite)(nil)
	_ Collection = (*sqliteColl)(nil)
)

// checkPlan runs the store's CheckPlan option (tests) on the query's plan.
func (c *sqliteColl) checkPlan(ctx context.Context, q Query, count bool) error {
	check := c.s.opt.CheckPlan
	if check == nil {
		return nil
	}
	plan, err := c.s.explain(ctx, c.name, q, count)
	if err != nil {
		return err
	}
	filtered := len(q.Eq) > 0 || len(q.In) > 0 || q.Range != nil || (!count && q.After != "")
	if err := check(plan, filtered); err != nil {
		return kedaitong.Wrap(kedaitong.EInternal, err, "query on %s (%+v) is not served by an index", c.name, q)
	}
	return nil
}
