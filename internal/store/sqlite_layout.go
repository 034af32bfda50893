package store

// Table layouts. A collection's table is (id, version, doc). By default it
// is a WITHOUT ROWID table: the rows live in one b-tree ordered by id, the
// best layout for small documents (one b-tree to search and to change).
// But the leaves of such a b-tree hold at most about a quarter of a page of
// a row (1,002 bytes of 4,096); a larger document keeps 489 bytes there and
// spills the rest into overflow pages of its own, and a new document lands
// at its id's place — for hashed ids, a different leaf each time. Storing a
// crawl's items (2–3 KB each) so wrote a leaf and a mostly empty overflow
// page per item (issue 19).
//
// A collection declared Large gets an ordinary rowid table instead: SQLite
// gives each new row the next rowid, so documents are appended to the end
// of the table, packed whole into its leaves (up to 4,061 bytes a cell),
// and the id PRIMARY KEY becomes a small separate index (id → rowid). Reads
// by id search that index, then the row; indexed queries are unchanged
// (their entries lead to the row by rowid instead of by id). The rowid is
// SQLite's alone: nothing reads it, so VACUUM (a backup) may renumber rows.
//
// The layout is chosen when the table is created (CREATE TABLE IF NOT
// EXISTS): an existing table keeps its layout, so data folders made
// before work as they are, and two replicas starting together agree.

// createTableSQL is the statement that creates the collection's table when
// it does not exist yet.
func (c *sqliteColl) createTableSQL() string {
	q := "CREATE TABLE IF NOT EXISTS " + c.table + " (id TEXT NOT NULL PRIMARY KEY, version INTEGER NOT NULL, doc TEXT NOT NULL)"
	if !c.def.Large {
		q += " WITHOUT ROWID"
	}
	return q
}
