package store

import (
	"bytes"
	"context"
	"errors"
	"io"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"kedaitong"
)

// mongoFiles keeps files in GridFS (bucket "files").
type mongoFiles struct{ b *mongo.GridFSBucket }

// Files returns the store's file area.
func (m *Mongo) Files() Files {
	return &mongoFiles{b: m.db.GridFSBucket(options.GridFSBucket().SetName("files"))}
}

type gridMeta struct {
	ContentType string    `bson:"content_type"`
	SHA256      string    `bson:"sha256"`
	Created     time.Time `bson:"created"`
	Name        string    `bson:"name"`
}

func (f *mongoFiles) PutFile(ctx context.Context, id string, meta FileMeta, r io.Reader, max int64) (FileMeta, error) {
	if err := checkFileID(id); err != nil {
		return FileMeta{}, err
	}
	data, err := readLimited(r, max)
	if err != nil {
		return FileMeta{}, err
	}
	meta = completeMeta(meta, data)
	// GridFS writes the chunks before the file document: refuse a taken id
	// first, so an upload never adds chunks to another file.
	n, err := f.b.GetFilesCollection().CountDocuments(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return FileMeta{}, mongoErr(err, "look up file %s", id)
	}
	if n > 0 {
		return FileMeta{}, kedaitong.Errorf(kedaitong.EConflict, "a file %q exists already", id).ZHf("文件 %q 已存在", id)
	}
	gm := gridMeta{ContentType: meta.ContentType, SHA256: meta.SHA256, Created: meta.Created, Name: meta.Name}
	opts := options.GridFSUpload().SetMetadata(gm)
	if err := f.b.UploadFromStreamWithID(ctx, id, meta.Name, bytes.NewReader(data), opts); err != nil {
		return FileMeta{}, mongoErr(err, "store file %s", id)
	}
	return meta, nil
}

func (f *mongoFiles) OpenFile(ctx context.Context, id string) (io.ReadCloser, FileMeta, error) {
	if err := checkFileID(id); err != nil {
		return nil, FileMeta{}, err
	}
	ds, err := f.b.OpenDownloadStream(ctx, id)
	if errors.Is(err, mongo.ErrFileNotFound) {
		return nil, FileMeta{}, fileNotFound(id)
	}
	if err != nil {
		return nil, FileMeta{}, mongoErr(err, "read file %s", id)
	}
	file := ds.GetFile()
	var gm gridMeta
	if len(file.Metadata) > 0 {
		if err := bson.Unmarshal(file.Metadata, &gm); err != nil {
			ds.Close()
			return nil, FileMeta{}, kedaitong.Wrap(kedaitong.EInternal, err, "file %s has broken metadata", id)
		}
	}
	meta := FileMeta{Name: gm.Name, ContentType: gm.ContentType, Size: file.Length, SHA256: gm.SHA256, Created: gm.Created.UTC()}
	return ds, meta, nil
}

func (f *mongoFiles) DeleteFile(ctx context.Context, id string) error {
	if err := checkFileID(id); err != nil {
		return err
	}
	err := f.b.Delete(ctx, id)
	if errors.Is(err, mongo.ErrFileNotFound) {
		return fileNotFound(id)
	}
	if err != nil {
		return mongoErr(err, "delete file %s", id)
	}
	return nil
}
