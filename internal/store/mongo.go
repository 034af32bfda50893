package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"kedaitong"
)

// mongoTimeout bounds how long OpenMongo and Ping wait for the server, and
// is the default server-selection timeout of every operation.
var mongoTimeout = 10 * time.Second

// MongoDefaultDatabase is the database used when the URI names none.
const MongoDefaultDatabase = "kedaitong"

// Mongo is a Store on a MongoDB server (or a server speaking its protocol).
// Documents are stored as {_id: id, _v: version, ...the JSON object's fields}.
type Mongo struct {
	client *mongo.Client
	db     *mongo.Database

	declare sync.Mutex // serialises Collection's list-then-create of indexes

	mu   sync.Mutex
	defs map[string][]Index // indexes declared so far, by collection

	ready readiness // Writable's cached answer
}

// OpenMongo connects to the MongoDB server at uri and checks that it
// answers within 10 s (or ctx's deadline, if sooner). The database is the
// URI's path ("kedaitong" when it has none). URI options such as
// maxPoolSize=1 pass through to the driver. A server that does not answer is
// EUnavailable; a malformed URI is EInvalid.
func OpenMongo(ctx context.Context, uri string) (*Mongo, error) {
	cs, err := connstring.ParseAndValidate(uri)
	if err != nil {
		return nil, kedaitong.Wrap(kedaitong.EInvalid, err, "MongoDB URI is not valid").ZHf("MongoDB URI 无效")
	}
	dbName := cs.Database
	if dbName == "" {
		dbName = MongoDefaultDatabase
	}
	opts := options.Client().
		SetServerSelectionTimeout(mongoTimeout).
		SetConnectTimeout(mongoTimeout).
		SetAppName("kedaitong").
		ApplyURI(uri)
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, kedaitong.Wrap(kedaitong.EInvalid, err, "MongoDB client options are not valid").ZHf("MongoDB 客户端选项无效")
	}
	m := &Mongo{client: client, db: client.Database(dbName), defs: map[string][]Index{}}
	start := time.Now()
	if err := m.Ping(ctx); err != nil {
		_ = m.Close()
		return nil, kedaitong.Wrap(kedaitong.EUnavailable, err,
			"MongoDB at %s did not answer (gave up after %s)", strings.Join(cs.Hosts, ","), time.Since(start).Round(100*time.Millisecond)).ZHf("MongoDB（%s）没有响应（%s 后放弃）", strings.Join(cs.Hosts, ","), time.Since(start).Round(100*time.Millisecond))
	}
	return m, nil
}

// Backend returns "mongodb".
func (m *Mongo) Backend() string { return "mongodb" }

// Ping reports whether the server answers within 10 s (or ctx's deadline);
// EUnavailable when not.
func (m *Mongo) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, mongoTimeout)
	defer cancel()
	if err := m.client.Ping(ctx, readpref.Primary()); err != nil {
		return kedaitong.Wrap(kedaitong.EUnavailable, err, "the database does not answer").ZHf("数据库没有响应")
	}
	return nil
}

// Writable reports whether the database accepts writes now: one small
// upsert into the kedai_meta collection, its answer reused for two
// seconds. EUnavailable when not.
func (m *Mongo) Writable(ctx context.Context) error {
	return m.ready.check(ctx, func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, mongoTimeout)
		defer cancel()
		_, err := m.db.Collection("kedai_meta").UpdateOne(ctx, bson.D{{Key: "_id", Value: "write_probe"}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "at", Value: time.Now().UTC()}}}}, options.UpdateOne().SetUpsert(true))
		if err != nil {
			if e := mongoErr(err, "write probe"); kedaitong.ErrorCode(e) != kedaitong.EInternal {
				return e
			}
			return kedaitong.Wrap(kedaitong.EUnavailable, err, "the database does not accept writes").ZHf("数据库无法写入")
		}
		return nil
	})
}

// Close disconnects from the server.
func (m *Mongo) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), mongoTimeout)
	defer cancel()
	if err := m.client.Disconnect(ctx); err != nil && !errors.Is(err, mongo.ErrClientDisconnected) {
		return fmt.Errorf("store: mongodb: close: %w", err)
	}
	return nil
}

// Collection declares the collection's indexes, creating them idempotently
// under the names IndexName gives them: a plain index on its fields then
// _id, a unique one on its fields alone.
func (m *Mongo) Collection(ctx context.Context, def CollectionDef) (Collection, error) {
	if err := ValidateDef(def); err != nil {
		return nil, err
	}
	c := m.db.Collection(def.Name)
	m.declare.Lock()
	defer m.declare.Unlock()
	if len(def.Indexes) > 0 {
		// Create only the missing indexes: cheaper than re-creating, and the
		// FerretDB stand-in drops the connection on an existing one.
		specs, err := c.Indexes().ListSpecifications(ctx)
		if err != nil {
			return nil, mongoErr(err, "list indexes of %s", def.Name)
		}
		exists := map[string]bool{}
		for _, s := range specs {
			exists[s.Name] = true
		}
		models := make([]mongo.IndexModel, 0, len(def.Indexes))
		var names []string
		for _, ix := range def.Indexes {
			if exists[IndexName(def.Name, ix)] {
				continue
			}
			exists[IndexName(def.Name, ix)] = true
			names = append(names, IndexName(def.Name, ix))
			keys := bson.D{}
			for _, f := range ix.Fields {
				keys = append(keys, bson.E{Key: f, Value: 1})
			}
			if !ix.Unique {
				keys = append(keys, bson.E{Key: mongoIDKey, Value: 1})
			}
			o := options.Index().SetName(IndexName(def.Name, ix))
			if ix.Unique {
				o.SetUnique(true)
			}
			models = append(models, mongo.IndexModel{Keys: keys, Options: o})
		}
		if len(models) > 0 {
			if _, err := c.Indexes().CreateMany(ctx, models); err != nil {
				// Another server may have created them at the same
				// moment (its own list saw them missing too): what counts
				// is that they exist now.
				if !m.indexesExist(ctx, c, names) {
					return nil, mongoErr(err, "create indexes of %s", def.Name)
				}
			}
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	have := m.defs[def.Name]
	for _, ix := range def.Indexes {
		name := IndexName(def.Name, ix)
		dup := false
		for _, h := range have {
			if IndexName(def.Name, h) == name {
				dup = true
				break
			}
		}
		if !dup {
			have = append(have, Index{Fields: append([]string(nil), ix.Fields...), Unique: ix.Unique})
		}
	}
	m.defs[def.Name] = have
	return &mongoCollection{m: m, name: def.Name, c: c}, nil
}

// indexesExist reports whether every index of models exists on c,
// re-listing after a short wait (a concurrent creation may be finishing).
func (m *Mongo) indexesExist(ctx context.Context, c *mongo.Collection, names []string) bool {
	for attempt := range 3 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return false
			case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
			}
		}
		specs, err := c.Indexes().ListSpecifications(ctx)
		if err != nil {
			continue
		}
		have := map[string]bool{}
		for _, s := range specs {
			have[s.Name] = true
		}
		all := true
		for _, n := range names {
			if !have[n] {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// def returns the collection's definition with every index declared so far.
func (m *Mongo) def(name string) CollectionDef {
	m.mu.Lock()
	defer m.mu.Unlock()
	return CollectionDef{Name: name, Indexes: m.defs[name]}
}

// mongoCollection is a Collection on MongoDB.
type mongoCollection struct {
	m    *Mongo
	name string
	c    *mongo.Collection
}

// Get decodes the document with the id into out and returns its version.
func (c *mongoCollection) Get(ctx context.Context, id string, out any) (int64, error) {
	if err := checkMongoID(id); err != nil {
		return 0, err
	}
	raw, err := c.c.FindOne(ctx, bson.D{{Key: mongoIDKey, Value: id}}).Raw()
	if err != nil {
		return 0, mongoErr(err, "get %s %q", c.name, id)
	}
	d, err := bsonToDoc(raw)
	if err != nil {
		return 0, err
	}
	if out != nil {
		if err := d.Decode(out); err != nil {
			return 0, fmt.Errorf("store: mongodb: decode %s %q: %w", c.name, id, err)
		}
	}
	return d.Version, nil
}

// Insert stores a new document at version 1.
func (c *mongoCollection) Insert(ctx context.Context, id string, doc any) error {
	if err := checkMongoID(id); err != nil {
		return err
	}
	fields, err := docToBSON(doc)
	if err != nil {
		return err
	}
	full := make(bson.D, 0, len(fields)+2)
	full = append(full, bson.E{Key: mongoIDKey, Value: id}, bson.E{Key: mongoVersionKey, Value: int64(1)})
	full = append(full, fields...)
	if _, err := c.c.InsertOne(ctx, full); err != nil {
		return mongoErr(err, "insert %s %q", c.name, id)
	}
	return nil
}

// Replace overwrites the document when its version is still version.
func (c *mongoCollection) Replace(ctx context.Context, id string, version int64, doc any) (int64, error) {
	if err := checkMongoID(id); err != nil {
		return 0, err
	}
	fields, err := docToBSON(doc)
	if err != nil {
		return 0, err
	}
	full := make(bson.D, 0, len(fields)+1)
	full = append(full, bson.E{Key: mongoVersionKey, Value: version + 1})
	full = append(full, fields...)
	filter := bson.D{{Key: mongoIDKey, Value: id}, {Key: mongoVersionKey, Value: version}}
	res, err := c.c.ReplaceOne(ctx, filter, full)
	if err != nil {
		return 0, mongoErr(err, "replace %s %q", c.name, id)
	}
	if res.MatchedCount == 0 {
		now, err := c.Get(ctx, id, nil)
		if err != nil {
			return 0, err // ENotFound when the document is gone
		}
		return 0, kedaitong.Errorf(kedaitong.EConflict, "%s %q changed since it was read (version %d, now %d)", c.name, id, version, now).ZHf("%s %q 在读取后已被修改（读取时版本 %d，当前 %d）", c.name, id, version, now)
	}
	return version + 1, nil
}

// Delete removes the document.
func (c *mongoCollection) Delete(ctx context.Context, id string) error {
	if err := checkMongoID(id); err != nil {
		return err
	}
	res, err := c.c.DeleteOne(ctx, bson.D{{Key: mongoIDKey, Value: id}})
	if err != nil {
		return mongoErr(err, "delete %s %q", c.name, id)
	}
	if res.DeletedCount == 0 {
		return kedaitong.Errorf(kedaitong.ENotFound, "%s %q not found", c.name, id).ZHf("未找到 %s %q", c.name, id)
	}
	return nil
}

// filter translates q's conditions after checking them against the declared
// indexes. empty is true when an empty membership list makes q match nothing.
func (c *mongoCollection) filter(q Query) (plan Plan, filter bson.D, empty bool, err error) {
	plan, err = PlanQuery(c.m.def(c.name), q)
	if err != nil {
		return plan, nil, false, err
	}
	filter = bson.D{}
	for _, f := range plan.EqOrder {
		if v, ok := q.Eq[f]; ok {
			filter = append(filter, bson.E{Key: f, Value: v})
			continue
		}
		vs := q.In[f]
		if len(vs) == 0 {
			return plan, nil, true, nil
		}
		filter = append(filter, bson.E{Key: f, Value: bson.D{{Key: "$in", Value: bson.A(vs)}}})
	}
	if r := q.Range; r != nil {
		cond := bson.D{}
		for _, b := range []struct {
			op string
			v  any
		}{{"$gte", r.Gte}, {"$gt", r.Gt}, {"$lte", r.Lte}, {"$lt", r.Lt}} {
			if b.v != nil {
				cond = append(cond, bson.E{Key: b.op, Value: b.v})
			}
		}
		if len(cond) > 0 {
			filter = append(filter, bson.E{Key: r.Field, Value: cond})
		}
	}
	return plan, filter, false, nil
}

// Find returns one page of the documents matching q.
func (c *mongoCollection) Find(ctx context.Context, q Query) (Page, error) {
	plan, filter, empty, err := c.filter(q)
	if err != nil || empty {
		return Page{}, err
	}
	dir, after := 1, "$gt"
	if q.Desc {
		dir, after = -1, "$lt"
	}
	if q.After != "" {
		sv, id, err := DecodeCursor(q.After)
		if err != nil {
			return Page{}, err
		}
		if plan.Sort == "" {
			filter = append(filter, bson.E{Key: mongoIDKey, Value: bson.D{{Key: after, Value: id}}})
		} else {
			// Keyset: sort value past the last one, or equal with a later id.
			filter = append(filter, bson.E{Key: "$or", Value: bson.A{
				bson.D{{Key: plan.Sort, Value: bson.D{{Key: after, Value: sv}}}},
				bson.D{{Key: plan.Sort, Value: sv}, {Key: mongoIDKey, Value: bson.D{{Key: after, Value: id}}}},
			}})
		}
	}
	sortKeys := bson.D{}
	if plan.Sort != "" {
		sortKeys = append(sortKeys, bson.E{Key: plan.Sort, Value: dir})
	}
	sortKeys = append(sortKeys, bson.E{Key: mongoIDKey, Value: dir})
	opts := options.Find().SetSort(sortKeys)
	if q.Limit > 0 {
		opts.SetLimit(int64(q.Limit) + 1)
	}
	cur, err := c.c.Find(ctx, filter, opts)
	if err != nil {
		return Page{}, mongoErr(err, "find in %s", c.name)
	}
	defer cur.Close(ctx)
	var page Page
	var lastRaw []byte
	for cur.Next(ctx) {
		if q.Limit > 0 && len(page.Docs) == q.Limit {
			// One more than the limit: there is a next page.
			var sv any
			if plan.Sort != "" {
				if sv, err = bsonScalar(lastRaw, plan.Sort); err != nil {
					return Page{}, err
				}
			}
			if page.Next, err = EncodeCursor(sv, page.Docs[len(page.Docs)-1].ID); err != nil {
				return Page{}, err
			}
			break
		}
		d, err := bsonToDoc(cur.Current)
		if err != nil {
			return Page{}, err
		}
		page.Docs = append(page.Docs, d)
		lastRaw = append(lastRaw[:0], cur.Current...)
	}
	if err := cur.Err(); err != nil {
		return Page{}, mongoErr(err, "find in %s", c.name)
	}
	return page, nil
}

// Count returns how many documents match q's filters.
func (c *mongoCollection) Count(ctx context.Context, q Query) (int64, error) {
	q.Sort, q.Desc, q.Limit, q.After = "", false, 0, ""
	_, filter, empty, err := c.filter(q)
	if err != nil || empty {
		return 0, err
	}
	n, err := c.c.CountDocuments(ctx, filter)
	if err != nil {
		return 0, mongoErr(err, "count in %s", c.name)
	}
	return n, nil
}

// Incr atomically adds deltas to integer fields of the document with the id,
// creating it from init (plus the deltas) when it does not exist.
func (c *mongoCollection) Incr(ctx context.Context, id string, init map[string]any, deltas map[string]int64) (Doc, error) {
	if err := checkMongoID(id); err != nil {
		return Doc{}, err
	}
	inc := bson.D{{Key: mongoVersionKey, Value: int64(1)}}
	for f, n := range deltas {
		if !validName(f) {
			return Doc{}, kedaitong.Errorf(kedaitong.EInvalid, "counter field %q is not allowed", f).ZHf("不允许计数字段 %q", f)
		}
		inc = append(inc, bson.E{Key: f, Value: n})
	}
	var initFields bson.D
	if init != nil {
		var err error
		if initFields, err = docToBSON(init); err != nil {
			return Doc{}, err
		}
	}
	onInsert := bson.D{}
	overlap := false
	for _, e := range initFields {
		if _, ok := deltas[e.Key]; ok {
			overlap = true
			continue
		}
		onInsert = append(onInsert, e)
	}
	if overlap {
		return c.incrFromInit(ctx, id, initFields, inc)
	}
	update := bson.D{{Key: "$inc", Value: inc}}
	if len(onInsert) > 0 {
		update = append(update, bson.E{Key: "$setOnInsert", Value: onInsert})
	}
	opts := options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)
	filter := bson.D{{Key: mongoIDKey, Value: id}}
	var raw []byte
	var err error
	for try := 0; try < 2; try++ {
		// Two concurrent upserts of a missing document may both try to
		// insert; the loser sees a duplicate key and retries as an update.
		raw, err = c.c.FindOneAndUpdate(ctx, filter, update, opts).Raw()
		if err == nil || !mongo.IsDuplicateKeyError(err) {
			break
		}
	}
	if err != nil {
		return Doc{}, mongoErr(err, "increment %s %q", c.name, id)
	}
	return bsonToDoc(raw)
}

// incrFromInit is Incr when init gives starting values to counted fields,
// which one upsert cannot express: update the document if it exists,
// otherwise insert init plus the deltas, and if another writer inserted it
// first, update it after all.
func (c *mongoCollection) incrFromInit(ctx context.Context, id string, initFields, inc bson.D) (Doc, error) {
	filter := bson.D{{Key: mongoIDKey, Value: id}}
	update := bson.D{{Key: "$inc", Value: inc}}
	opts := options.FindOneAndUpdate().SetReturnDocument(options.After)
	for try := 0; try < 2; try++ {
		raw, err := c.c.FindOneAndUpdate(ctx, filter, update, opts).Raw()
		if err == nil {
			return bsonToDoc(raw)
		}
		if !errors.Is(err, mongo.ErrNoDocuments) {
			return Doc{}, mongoErr(err, "increment %s %q", c.name, id)
		}
		doc := bson.D{{Key: mongoIDKey, Value: id}, {Key: mongoVersionKey, Value: int64(1)}}
		done := map[string]bool{mongoVersionKey: true}
		for _, e := range initFields {
			for _, d := range inc {
				if d.Key == e.Key {
					start, ok := e.Value.(int64)
					if !ok {
						return Doc{}, kedaitong.Errorf(kedaitong.EInvalid, "counter field %q starts at %v, not an integer", e.Key, e.Value).ZHf("计数字段 %q 的初始值 %v 不是整数", e.Key, e.Value)
					}
					e.Value = start + d.Value.(int64)
					done[e.Key] = true
				}
			}
			doc = append(doc, e)
		}
		for _, d := range inc {
			if !done[d.Key] {
				doc = append(doc, d)
			}
		}
		if _, err := c.c.InsertOne(ctx, doc); err == nil {
			raw, err := bson.Marshal(doc)
			if err != nil {
				return Doc{}, fmt.Errorf("store: mongodb: %w", err)
			}
			return bsonToDoc(raw)
		} else if !mongo.IsDuplicateKeyError(err) {
			return Doc{}, mongoErr(err, "increment %s %q", c.name, id)
		}
	}
	return Doc{}, kedaitong.Errorf(kedaitong.EUnavailable, "increment %s %q: the document keeps changing; try again", c.name, id).ZHf("递增 %s %q：该文档一直在变化，请重试", c.name, id)
}

// mongoMaxIDLen is the longest id in bytes, as on the SQLite backend.
const mongoMaxIDLen = 512

// checkMongoID refuses ids no backend can store alike.
func checkMongoID(id string) error {
	if id == "" {
		return kedaitong.Invalid("id", "must not be empty").ZHf("编号不能为空")
	}
	if len(id) > mongoMaxIDLen || !utf8.ValidString(id) {
		return kedaitong.Invalid("id", "must be valid UTF-8 of at most %d bytes", mongoMaxIDLen).ZHf("编号必须是不超过 %d 字节的有效 UTF-8", mongoMaxIDLen)
	}
	return nil
}

// mongoErr turns a driver error into the error vocabulary: a duplicate key
// is EConflict, a missing document ENotFound, an unreachable server or a
// timeout EUnavailable, a document the server refuses EInvalid; anything
// else is wrapped as is (internal).
func mongoErr(err error, format string, args ...any) error {
	what := fmt.Sprintf(format, args...)
	var sse topology.ServerSelectionError
	var ne net.Error
	var conn topology.ConnectionError
	var pool driver.RetryablePoolError
	var ce mongo.CommandError
	var we mongo.WriteException
	if errors.As(err, &ce) && ce.Code == 14031 || strings.Contains(err.Error(), "No space left on device") || strings.Contains(err.Error(), "no space left on device") {
		return errStorageFull(fmt.Errorf("%s: %w", what, err))
	}
	switch {
	case mongo.IsDuplicateKeyError(err),
		// The FerretDB stand-in reports a unique index broken by an update
		// as an internal error from SQLite.
		errors.As(err, &ce) && ce.Code == 1 && strings.Contains(ce.Message, "UNIQUE constraint failed"):
		return kedaitong.Wrap(kedaitong.EConflict, err, "%s: a document with this id or unique key already exists", what).ZHf("已存在相同编号或唯一键的文档")
	case errors.Is(err, mongo.ErrNoDocuments):
		return kedaitong.Wrap(kedaitong.ENotFound, err, "%s: not found", what).ZHf("未找到")
	case errors.As(err, &sse), mongo.IsTimeout(err), mongo.IsNetworkError(err),
		errors.Is(err, mongo.ErrClientDisconnected), errors.Is(err, context.Canceled), errors.As(err, &ne), errors.As(err, &conn), errors.As(err, &pool):
		return kedaitong.Wrap(kedaitong.EUnavailable, err, "%s: the database does not answer", what).ZHf("数据库没有响应")
	case errors.As(err, &ce) && isRefusal(ce.Code):
		return kedaitong.Wrap(kedaitong.EInvalid, err, "%s: the database refuses it", what).ZHf("数据库拒绝了该操作")
	case errors.As(err, &we) && len(we.WriteErrors) > 0 && isRefusal(int32(we.WriteErrors[0].Code)):
		return kedaitong.Wrap(kedaitong.EInvalid, err, "%s: the database refuses it", what).ZHf("数据库拒绝了该操作")
	}
	return fmt.Errorf("store: mongodb: %s: %w", what, err)
}

// isRefusal reports whether a server error code means the request itself is
// unacceptable: BadValue, TypeMismatch, document too large, bad field name.
func isRefusal(code int32) bool {
	switch code {
	case 2, 14, 10334, 17419, 52, 56, 57:
		return true
	}
	return false
}

// Interface checks.
var (
	_ Store      = (*Mongo)(nil)
	_ Collection = (*mongoCollection)(nil)
)
