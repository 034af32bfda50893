package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

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

// strictJSON are the decoding options of every request body: JSON's
// defaults in encoding/json/v2 semantics — names matched exactly (no case
// variants), duplicate names refused, invalid UTF-8 refused, numbers only
// where the field is a number ("9" is not 9) — plus unknown names refused.
//
// encoding/json's Number (a string type, which v1 filled from numbers and
// from strings alike) is filled from JSON numbers only.
var strictJSON = jsonv2.JoinOptions(
	jsonv2.WithUnmarshalers(jsonv2.UnmarshalFromFunc(numberOnly)),
	jsonv2.RejectUnknownMembers(true),
	jsonv2.MatchCaseInsensitiveNames(false),
	jsontext.AllowDuplicateNames(false),
	jsontext.AllowInvalidUTF8(false),
)

func numberOnly(dec *jsontext.Decoder, n *json.Number) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch v.Kind() {
	case '0':
		*n = json.Number(v)
		return nil
	case 'n':
		return nil
	case '"':
		return kedaitong.Errorf(kedaitong.EInvalid, "must be a JSON number, not a string").ZHf("应为 JSON 数字，不能是字符串")
	}
	return kedaitong.Errorf(kedaitong.EInvalid, "must be a number").ZHf("应为数字")
}

// UnmarshalStrict decodes b into v with the strict options of request
// bodies, returning the decoder's own error (domain types that decode a
// part of a body themselves use it; DecodeStrict explains its errors).
func UnmarshalStrict(b []byte, v any) error { return jsonv2.Unmarshal(b, v, strictJSON) }

// DecodeStrict decodes one JSON value strictly (see strictJSON) with
// nothing after it. Its errors are EInvalid naming the field at fault as a
// dotted path ("criteria.team", "enterprise.revenue.0").
func DecodeStrict(b []byte, v any) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return kedaitong.Errorf(kedaitong.EInvalid, "the request body is empty; send a JSON object").ZHf("请求体为空，请发送一个 JSON 对象")
	}
	err := jsonv2.Unmarshal(b, v, strictJSON)
	if err == nil {
		return nil
	}
	return jsonError(err)
}

// jsonError explains a decoding error in the contract's terms.
func jsonError(err error) error {
	var ke *kedaitong.Error
	var se *jsonv2.SemanticError
	var sy *jsontext.SyntacticError
	switch {
	case errors.As(err, &sy):
		field := pointerField(sy.JSONPointer)
		switch {
		case errors.Is(err, jsontext.ErrDuplicateName):
			return kedaitong.Invalid(field, "appears twice; send each key once").ZHf("字段 %s 重复出现，每个键只能发送一次", field)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return kedaitong.Errorf(kedaitong.EInvalid, "malformed JSON: the body ends too early").ZHf("JSON 格式有误：请求体提前结束")
		}
		if field != "" {
			return kedaitong.Invalid(field, "malformed JSON at byte %d", sy.ByteOffset).ZHf("字段 %s 处 JSON 格式有误（第 %d 字节处）", field, sy.ByteOffset)
		}
		return kedaitong.Errorf(kedaitong.EInvalid, "malformed JSON at byte %d", sy.ByteOffset).ZHf("JSON 格式有误（第 %d 字节处）", sy.ByteOffset)
	case errors.As(err, &se):
		field := pointerField(se.JSONPointer)
		if errors.Is(err, jsonv2.ErrUnknownName) {
			return kedaitong.Invalid(field, "is not a known field (names are exact and case-sensitive)").ZHf("未知字段 %s（字段名区分大小写，须完全一致）", field)
		}
		if errors.As(err, &ke) { // a domain type's own decoding said what is wrong
			if ke.Field == "" && field != "" {
				c := *ke
				c.Field = field
				return &c
			}
			return ke
		}
		want := "value of another type"
		wantZH := "其他类型的值"
		if se.GoType != nil {
			want, wantZH = jsonKind(se.GoType)
		}
		if field == "" {
			if se.GoType != nil && (se.GoType.Kind() == reflect.Struct || se.GoType.Kind() == reflect.Map) {
				return kedaitong.Errorf(kedaitong.EInvalid, "the body must be a JSON object").ZHf("请求体必须是 JSON 对象")
			}
			return kedaitong.Errorf(kedaitong.EInvalid, "the body must be a %s", want).ZHf("请求体必须是%s", wantZH)
		}
		if se.JSONKind == '"' && (want == "whole number" || want == "number") {
			return kedaitong.Invalid(field, "must be a JSON %s, not a string", want).ZHf("字段 %s 应为 JSON 数字（%s），不能是字符串", field, wantZH)
		}
		return kedaitong.Invalid(field, "must be a %s", want).ZHf("字段 %s 应为%s", field, wantZH)
	case errors.As(err, &ke):
		return ke
	case errors.Is(err, io.ErrUnexpectedEOF):
		return kedaitong.Errorf(kedaitong.EInvalid, "malformed JSON: the body ends too early").ZHf("JSON 格式有误：请求体提前结束")
	}
	return kedaitong.Wrap(kedaitong.EInvalid, err, "malformed JSON").ZHf("JSON 格式有误")
}

// pointerField turns a JSON Pointer ("/criteria/team") into the dotted
// field path the error body names ("criteria.team").
func pointerField(p jsontext.Pointer) string {
	var parts []string
	for tok := range p.Tokens() {
		parts = append(parts, tok)
	}
	return strings.Join(parts, ".")
}

func jsonKind(t reflect.Type) (string, string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "whole number", "整数"
	case reflect.Float32, reflect.Float64:
		return "number", "数字"
	case reflect.Slice, reflect.Array:
		return "list", "列表"
	case reflect.Map, reflect.Struct:
		if t == reflect.TypeFor[time.Time]() {
			return "time (RFC 3339, e.g. 2026-12-05T09:00:00+08:00)", "时间（RFC 3339 格式，如 2026-12-05T09:00:00+08:00）"
		}
		return "JSON object", "JSON 对象"
	case reflect.String:
		return "string", "字符串"
	case reflect.Bool:
		return "true or false", "true 或 false"
	}
	return "value of another type", "其他类型的值"
}
