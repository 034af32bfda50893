package store

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"kedaitong"
)

// Reserved top-level keys of a stored MongoDB document.
const (
	mongoIDKey      = "_id"
	mongoVersionKey = "_v"
)

// docToBSON encodes doc as JSON and converts the JSON object to BSON fields in
// their order: whole numbers become int64, other numbers float64, objects
// nested documents and arrays arrays. A doc that is not a JSON object, or
// that uses a reserved key, is EInvalid.
func docToBSON(doc any) (bson.D, error) {
	var data []byte
	switch d := doc.(type) {
	case json.RawMessage:
		data = d
	case []byte:
		data = d
	default:
		b, err := json.Marshal(doc)
		if err != nil {
			return nil, kedaitong.Wrap(kedaitong.EInvalid, err, "document cannot be encoded as JSON").ZHf("文档无法编码为 JSON")
		}
		data = b
	}
	return jsonToBSON(data)
}

// jsonToBSON converts a JSON object to BSON fields (see docToBSON).
func jsonToBSON(data []byte) (bson.D, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, kedaitong.Wrap(kedaitong.EInvalid, err, "document is not valid JSON").ZHf("文档不是有效的 JSON")
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, kedaitong.Errorf(kedaitong.EInvalid, "document must be a JSON object").ZHf("文档必须是 JSON 对象")
	}
	fields, err := readJSONObject(dec)
	if err != nil {
		return nil, kedaitong.Wrap(kedaitong.EInvalid, err, "document is not valid JSON").ZHf("文档不是有效的 JSON")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, kedaitong.Errorf(kedaitong.EInvalid, "document has data after its JSON object").ZHf("文档的 JSON 对象之后还有数据")
	}
	for _, e := range fields {
		if e.Key == mongoIDKey || e.Key == mongoVersionKey {
			return nil, kedaitong.Errorf(kedaitong.EInvalid, "document field %q is reserved", e.Key).ZHf("文档字段 %q 是保留字段", e.Key)
		}
	}
	return fields, nil
}

// readJSONObject reads the members of an object whose '{' has been read.
func readJSONObject(dec *json.Decoder) (bson.D, error) {
	d := bson.D{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("object key is %T", tok)
		}
		v, err := readJSONValue(dec)
		if err != nil {
			return nil, err
		}
		d = append(d, bson.E{Key: key, Value: v})
	}
	if _, err := dec.Token(); err != nil { // '}'
		return nil, err
	}
	return d, nil
}

// readJSONValue reads one JSON value as the Go value the BSON encoder stores.
func readJSONValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return readJSONObject(dec)
		case '[':
			a := bson.A{}
			for dec.More() {
				v, err := readJSONValue(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return nil, err
			}
			return a, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i, nil
		}
		f, err := t.Float64()
		if err != nil {
			return nil, fmt.Errorf("number %s: %w", t, err)
		}
		return f, nil
	default: // string, bool, nil
		return t, nil
	}
}

// bsonToDoc converts a stored document to a Doc: its id, its version and the
// JSON object of its other fields.
func bsonToDoc(raw []byte) (Doc, error) {
	var d Doc
	elems, err := bsoncore.Document(raw).Elements()
	if err != nil {
		return d, fmt.Errorf("store: mongodb: bad document: %w", err)
	}
	buf := make([]byte, 0, len(raw)+16)
	buf = append(buf, '{')
	first := true
	for _, e := range elems {
		k, v := e.Key(), e.Value()
		switch k {
		case mongoIDKey:
			s, ok := v.StringValueOK()
			if !ok {
				return d, fmt.Errorf("store: mongodb: document id is a %s, not a string", v.Type)
			}
			d.ID = s
			continue
		case mongoVersionKey:
			n, ok := v.AsInt64OK()
			if !ok {
				return d, fmt.Errorf("store: mongodb: document %q: version is a %s", d.ID, v.Type)
			}
			d.Version = n
			continue
		}
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = appendJSONString(buf, k)
		buf = append(buf, ':')
		if buf, err = appendJSONValue(buf, v); err != nil {
			return d, fmt.Errorf("store: mongodb: document %q field %q: %w", d.ID, k, err)
		}
	}
	d.Data = append(buf, '}')
	return d, nil
}

// appendJSONValue appends v as JSON.
func appendJSONValue(buf []byte, v bsoncore.Value) ([]byte, error) {
	switch v.Type {
	case bsoncore.TypeNull, bsoncore.TypeUndefined:
		return append(buf, "null"...), nil
	case bsoncore.TypeBoolean:
		return strconv.AppendBool(buf, v.Boolean()), nil
	case bsoncore.TypeInt32:
		return strconv.AppendInt(buf, int64(v.Int32()), 10), nil
	case bsoncore.TypeInt64:
		return strconv.AppendInt(buf, v.Int64(), 10), nil
	case bsoncore.TypeDouble:
		f := v.Double()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return append(buf, "null"...), nil
		}
		b, err := json.Marshal(f)
		if err != nil {
			return buf, err
		}
		return append(buf, b...), nil
	case bsoncore.TypeString:
		return appendJSONString(buf, v.StringValue()), nil
	case bsoncore.TypeDateTime:
		t := time.UnixMilli(v.DateTime()).UTC()
		return appendJSONString(buf, t.Format(time.RFC3339Nano)), nil
	case bsoncore.TypeObjectID:
		id := v.ObjectID()
		return appendJSONString(buf, hex.EncodeToString(id[:])), nil
	case bsoncore.TypeDecimal128:
		h, l := v.Decimal128()
		return appendJSONString(buf, bson.NewDecimal128(h, l).String()), nil
	case bsoncore.TypeEmbeddedDocument:
		elems, err := v.Document().Elements()
		if err != nil {
			return buf, err
		}
		buf = append(buf, '{')
		for i, e := range elems {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSONString(buf, e.Key())
			buf = append(buf, ':')
			if buf, err = appendJSONValue(buf, e.Value()); err != nil {
				return buf, err
			}
		}
		return append(buf, '}'), nil
	case bsoncore.TypeArray:
		vals, err := v.Array().Values()
		if err != nil {
			return buf, err
		}
		buf = append(buf, '[')
		for i, e := range vals {
			if i > 0 {
				buf = append(buf, ',')
			}
			if buf, err = appendJSONValue(buf, e); err != nil {
				return buf, err
			}
		}
		return append(buf, ']'), nil
	}
	return buf, fmt.Errorf("BSON %s has no JSON form", v.Type)
}

// appendJSONString appends s as a JSON string, leaving non-ASCII text (such
// as Chinese) and HTML characters as they are.
func appendJSONString(buf []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	buf = append(buf, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				buf = append(buf, '\\', c)
			case c == '\n':
				buf = append(buf, '\\', 'n')
			case c == '\r':
				buf = append(buf, '\\', 'r')
			case c == '\t':
				buf = append(buf, '\\', 't')
			case c < 0x20:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				buf = append(buf, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			buf = append(buf, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			buf = append(buf, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			buf = append(buf, s[i:i+size]...)
		}
		i += size
	}
	return append(buf, '"')
}

// bsonScalar returns a top-level field's value as the scalar a cursor keeps:
// int64, float64, string, bool, or nil when the field is missing or null.
func bsonScalar(raw []byte, field string) (any, error) {
	v, err := bsoncore.Document(raw).LookupErr(field)
	if err != nil {
		if errors.Is(err, bsoncore.ErrElementNotFound) {
			return nil, nil
		}
		return nil, err
	}
	switch v.Type {
	case bsoncore.TypeNull, bsoncore.TypeUndefined:
		return nil, nil
	case bsoncore.TypeInt32:
		return int64(v.Int32()), nil
	case bsoncore.TypeInt64:
		return v.Int64(), nil
	case bsoncore.TypeDouble:
		return v.Double(), nil
	case bsoncore.TypeString:
		return v.StringValue(), nil
	case bsoncore.TypeBoolean:
		return v.Boolean(), nil
	}
	return nil, fmt.Errorf("store: mongodb: sort field %q holds a %s, not a scalar", field, v.Type)
}
