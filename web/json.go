package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"kedaitong"
)

// Body limits. JSON bodies are small; uploads (expert imports, dossiers) larger.
const (
	MaxJSONBody   = 1 << 20
	MaxUploadBody = 20 << 20
)

// LimitBody caps the request body; reading past the cap fails with a
// *http.MaxBytesError that ReadBody turns into ETooLarge.
func LimitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > n {
			AbortWithError(c, kedaitong.Errorf(kedaitong.ETooLarge, "the request body is over %d bytes", n).ZHf("请求体超过 %d 字节", n))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}

// ReadBody reads the whole (already limited) body.
func ReadBody(c *gin.Context) ([]byte, error) {
	b, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, kedaitong.Errorf(kedaitong.ETooLarge, "the request body is over %d bytes", mbe.Limit).ZHf("请求体超过 %d 字节", mbe.Limit)
		}
		return nil, kedaitong.Wrap(kedaitong.EInvalid, err, "the request body could not be read").ZHf("无法读取请求体")
	}
	return b, nil
}

// BindJSON decodes a JSON object body into v, refusing other content types
// (415), bodies over the limit (413), malformed JSON, trailing data and
// unknown fields (400).
func BindJSON(c *gin.Context, v any) error {
	ct := c.GetHeader("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || (mt != "application/json" && !bytesHasSuffix(mt, "+json")) {
		return kedaitong.Errorf(kedaitong.EUnsupported, "send the body as application/json").ZHf("请求体应以 application/json 发送")
	}
	b, err := ReadBody(c)
	if err != nil {
		return err
	}
	return DecodeStrict(b, v)
}

func bytesHasSuffix(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}

// DecodeStrict decodes one JSON value with no unknown fields and nothing after it.
func DecodeStrict(b []byte, v any) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return kedaitong.Errorf(kedaitong.EInvalid, "the request body is empty; send a JSON object").ZHf("请求体为空，请发送一个 JSON 对象")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return kedaitong.Errorf(kedaitong.EInvalid, "malformed JSON at byte %d", se.Offset).ZHf("JSON 格式有误（第 %d 字节处）", se.Offset)
		case errors.As(err, &te):
			field := te.Field
			if field == "" {
				return kedaitong.Errorf(kedaitong.EInvalid, "the body must be a JSON object").ZHf("请求体必须是 JSON 对象")
			}
			return kedaitong.Invalid(field, "must be a %s", jsonKind(te.Type.Kind().String())).ZHf("字段 %s 应为 %s 类型", field, jsonKind(te.Type.Kind().String()))
		case errors.Is(err, io.ErrUnexpectedEOF):
			return kedaitong.Errorf(kedaitong.EInvalid, "malformed JSON: the body ends too early").ZHf("JSON 格式有误：请求体提前结束")
		default:
			// Unknown fields: "json: unknown field \"x\"".
			return kedaitong.Errorf(kedaitong.EInvalid, "%s", trimJSONPrefix(err.Error())).ZHf("JSON 格式有误：%s", trimJSONPrefix(err.Error()))
		}
	}
	if dec.More() {
		return kedaitong.Errorf(kedaitong.EInvalid, "malformed JSON: data after the object").ZHf("JSON 格式有误：对象之后还有数据")
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return kedaitong.Errorf(kedaitong.EInvalid, "malformed JSON: data after the object").ZHf("JSON 格式有误：对象之后还有数据")
	}
	return nil
}

func jsonKind(k string) string {
	switch k {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "whole number"
	case "float32", "float64":
		return "number"
	case "slice", "array":
		return "list"
	case "map", "struct":
		return "JSON object"
	}
	return k
}

func trimJSONPrefix(s string) string {
	const p = "json: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}
