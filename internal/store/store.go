// Package store is the platform's document store: one small interface that
// domain packages write against, and its two backends — SQLite (embedded, the
// default) and MongoDB (mongo-driver v2) — which both pass one conformance
// suite. Driver errors become the kedaitong error vocabulary here and nowhere
// else: a missing document is ENotFound, a duplicate id or unique key or a stale
// version is EConflict, an unreachable database is EUnavailable, a query or
// document the store refuses is EInvalid.
//
// Documents are Go values encoded as JSON objects. Every document has a string
// id (chosen by the caller) and a version that starts at 1 and grows by one on
// every write; Replace is guarded by the version the caller read. Indexed
// fields are top-level scalar fields (string, integer, float, bool); times in
// indexed fields are int64 Unix milliseconds or fixed-width strings so that
// both backends order them alike. An indexed field should be present in every
// document of its collection.
//
// There are no multi-document transactions: an invariant that must hold
// atomically lives in one document.
package store

import (
	"context"
	"encoding/json"
	"io"
	"time"
)

// Store is an open database.
type Store interface {
	// Collection declares a collection and its indexes (creating them
	// idempotently) and returns a handle to it. Declaring the same name twice
	// with different indexes adds the new ones.
	Collection(ctx context.Context, def CollectionDef) (Collection, error)
	// Ping reports whether the database answers; EUnavailable when not.
	Ping(ctx context.Context) error
	// Writable reports whether the store accepts writes now (a small write
	// probe, its answer reused for a couple of seconds): EUnavailable when
	// the database is unreachable, read-only or out of space.
	Writable(ctx context.Context) error
	// Backend names the backend: "sqlite" or "mongodb".
	Backend() string
	// Files is the store's area for binary content (attachments).
	Files() Files
	// Close releases the database.
	Close() error
}

// CollectionDef names a collection and declares its indexes.
type CollectionDef struct {
	Name    string  // lowercase letters, digits and underscores
	Indexes []Index // every query on the collection must be served by one of them (or by the id)
	// Large says the documents are large (a kilobyte or more: a crawl's
	// items) and mostly inserted, rarely replaced. The SQLite backend then
	// keeps them in insertion order in a table of its own, with the ids in
	// a separate index (sqlite_layout.go): each new document is appended
	// instead of landing at its id's place in a table whose leaves hold at
	// most a quarter page of a document (the rest of it spilling into an
	// overflow page of its own). The choice is made when the collection is
	// first created: a store made before keeps its table as it is, and
	// both kinds serve every operation alike. MongoDB ignores it.
	Large bool
}

// Index declares an index on top-level fields, in order. Every index also
// orders by id after its fields.
type Index struct {
	Fields []string
	Unique bool // no two documents share the same values of all Fields
}

// Collection is a handle to one collection.
type Collection interface {
	// Get decodes the document with the id into out and returns its version.
	Get(ctx context.Context, id string, out any) (version int64, err error)
	// Insert stores a new document at version 1. A duplicate id or unique key is EConflict.
	Insert(ctx context.Context, id string, doc any) error
	// InsertMany inserts many new documents at once, for throughput (a
	// crawl's items): each is stored or refused on its own, as Insert would
	// (they are not one transaction). It returns one error per document, nil
	// for those stored, and an error for the batch when nothing can be said
	// of the documents (the store is unreachable). At most MaxBatch documents.
	InsertMany(ctx context.Context, docs []NewDoc) ([]error, error)
	// InsertChain inserts the documents in order and stops at the first one
	// that cannot be stored: those before it are stored, it and those after
	// it are not. It returns how many were stored and, when not all, why the
	// next one was not (EConflict for a taken id or unique key). For chains
	// whose documents depend on their predecessors (the audit log). At most
	// MaxBatch documents.
	InsertChain(ctx context.Context, docs []NewDoc) (int, error)
	// GetMany returns the documents with the ids (those that exist, in no
	// particular order) with one query. At most MaxBatch ids.
	GetMany(ctx context.Context, ids []string) ([]Doc, error)
	// ReplaceMany replaces many documents at once, for throughput (the data
	// hub's imports): each is replaced or refused on its own, as Replace
	// would (ENotFound, EConflict), and a replaced one is at its Version+1.
	// It returns one error per document, nil for those replaced, and an
	// error for the batch when nothing can be said of the documents. At
	// most MaxBatch documents.
	ReplaceMany(ctx context.Context, docs []Replacement) ([]error, error)
	// Replace overwrites the document when its version is still version and
	// returns the new version. A missing document is ENotFound; a stale version
	// or a broken unique key is EConflict.
	Replace(ctx context.Context, id string, version int64, doc any) (int64, error)
	// Delete removes the document. A missing document is ENotFound.
	Delete(ctx context.Context, id string) error
	// Find returns the documents matching q, sorted by q.Sort then id, at most
	// q.Limit of them, and a cursor for the next page ("" when there is none).
	Find(ctx context.Context, q Query) (Page, error)
	// Count returns how many documents match q's filters (Sort, Limit and After are ignored).
	Count(ctx context.Context, q Query) (int64, error)
	// Incr atomically adds deltas to integer fields of the document with the
	// id, creating it first from init (plus the deltas) when it does not exist,
	// and returns the document as it is after the change. Fields in deltas that
	// the document lacks start at 0. Concurrent calls lose nothing.
	Incr(ctx context.Context, id string, init map[string]any, deltas map[string]int64) (Doc, error)
}

// NewDoc is a document for InsertMany.
type NewDoc struct {
	ID  string
	Doc any
}

// MaxBatch bounds InsertMany.
const MaxBatch = 1000

// Query selects documents by equality, membership and one range on indexed
// fields. All conditions must be served by one declared index: the Eq and In
// fields form a prefix of the index's fields (in any order), followed by the
// Range field and the Sort field, which must be the same field when both are
// given. A query no index serves is refused with EInvalid.
type Query struct {
	Eq    map[string]any   // field == value
	In    map[string][]any // field is one of the values (an empty list matches nothing)
	Range *Range           // at most one range condition
	Sort  string           // the field to sort by; "" sorts by id alone
	Desc  bool             // descending order (of Sort and then id)
	Limit int              // at most this many documents; 0 means no limit
	After string           // a cursor from a previous Page
}

// Range bounds one field; nil bounds are open.
type Range struct {
	Field   string
	Gte, Gt any
	Lte, Lt any
}

// Page is one page of a Find.
type Page struct {
	Docs []Doc
	Next string // cursor for the following page; "" when this is the last
}

// Doc is a stored document as raw JSON with its id and version.
type Doc struct {
	ID      string
	Version int64
	Data    json.RawMessage // the JSON object as stored
}

// Decode decodes the document into out.
func (d Doc) Decode(out any) error { return json.Unmarshal(d.Data, out) }

// DecodeAll decodes every document of a page into a slice of T.
func DecodeAll[T any](docs []Doc) ([]T, error) {
	out := make([]T, 0, len(docs))
	for _, d := range docs {
		var v T
		if err := d.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Files holds binary content written once and read whole: a blob table on
// SQLite, GridFS on MongoDB. Metadata that must be queried belongs in a
// collection document that names the file's id.
type Files interface {
	// PutFile stores at most max bytes read from r under the id and returns
	// the stored metadata (size and SHA-256 filled in). An existing id is
	// EConflict; content over max is ETooLarge and nothing is stored.
	PutFile(ctx context.Context, id string, meta FileMeta, r io.Reader, max int64) (FileMeta, error)
	// OpenFile returns the content and metadata of the file; ENotFound when
	// there is none. The caller closes the reader.
	OpenFile(ctx context.Context, id string) (io.ReadCloser, FileMeta, error)
	// DeleteFile removes the file; ENotFound when there is none.
	DeleteFile(ctx context.Context, id string) error
}

// FileMeta describes a stored file.
type FileMeta struct {
	Name        string    `json:"name"`         // the name it was uploaded with
	ContentType string    `json:"content_type"` // as detected from the content
	Size        int64     `json:"size"`         // bytes; filled in by PutFile
	SHA256      string    `json:"sha256"`       // hex; filled in by PutFile
	Created     time.Time `json:"created"`      // filled in by PutFile when zero
}
