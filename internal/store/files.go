package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"

	"io"
	"time"
	"unicode/utf8"

	"kedaitong"
)

// readLimited reads at most max bytes of r; more is ETooLarge.
func readLimited(r io.Reader, max int64) ([]byte, error) {
	if max <= 0 {
		return nil, kedaitong.Errorf(kedaitong.EInvalid, "a file size limit is required").ZHf("需要设置文件大小上限")
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, max+1))
	if err != nil {
		return nil, kedaitong.Wrap(kedaitong.EInvalid, err, "the file could not be read").ZHf("无法读取该文件")
	}
	if n > max {
		return nil, kedaitong.Errorf(kedaitong.ETooLarge, "the file is over %d bytes", max).ZHf("文件超过 %d 字节", max)
	}
	return buf.Bytes(), nil
}

// checkFileID applies the id rules of documents to files.
func checkFileID(id string) error {
	if id == "" || len(id) > 512 || !utf8.ValidString(id) {
		return kedaitong.Errorf(kedaitong.EInvalid, "file id must be 1 to 512 bytes of UTF-8").ZHf("文件编号必须是 1 到 512 字节的 UTF-8")
	}
	return nil
}

// completeMeta fills size, hash and time.
func completeMeta(meta FileMeta, data []byte) FileMeta {
	sum := sha256.Sum256(data)
	meta.Size = int64(len(data))
	meta.SHA256 = hex.EncodeToString(sum[:])
	if meta.Created.IsZero() {
		meta.Created = time.Now().UTC()
	}
	meta.Created = meta.Created.UTC().Truncate(time.Millisecond)
	return meta
}

func fileNotFound(id string) error {
	return kedaitong.Errorf(kedaitong.ENotFound, "no file %q", id).ZHf("没有文件 %q", id)
}
