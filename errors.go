// Package kedaitong holds the vocabulary every part of the platform shares:
// the error codes that domain packages return and that the web layer alone
// turns into HTTP statuses and the contract's error body.
package kedaitong

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. Each maps to exactly one HTTP status in package web.
const (
	EInvalid      = "invalid_input"          // 400: the request is malformed or breaks a rule
	EUnauthorized = "unauthorized"           // 401: nobody is logged in, or the credentials are wrong
	EForbidden    = "forbidden"              // 403: the caller's role may not do this
	ENotFound     = "not_found"              // 404: no such object, or one the caller may not know of
	EConflict     = "conflict"               // 409: the object's state does not allow it (duplicate, stale version, locked)
	ETooLarge     = "too_large"              // 413: body or upload over its limit
	EUnsupported  = "unsupported_media_type" // 415: wrong content type
	ERateLimited  = "rate_limited"           // 429: too many attempts
	EUnavailable  = "unavailable"            // 503: the store cannot be reached
	EInternal     = "internal"               // 500: a bug; the user sees a generic message
)

// Error is an error with a code and a message that is safe to show to users.
//
// Message is English; ZH is the same message in Chinese (zh-CN), set with
// ZHf where the error is made:
//
//	kedaitong.Invalid("credit_code", "must be 18 characters").ZHf("统一社会信用代码应为 18 位")
//
// A Chinese message names what it is about in its own words, so MessageIn
// does not prefix it with the (English) field name as ErrorMessage does.
type Error struct {
	Code    string // one of the E* constants
	Message string // human text in English, safe for the caller
	ZH      string // the same text in Chinese; "" when there is none
	Field   string // the input field at fault, when there is one
	Err     error  // the underlying cause, never shown to users
}

// ZHf sets the Chinese message from a format and its arguments and returns e,
// so that it chains onto Errorf, Invalid and Wrap.
func (e *Error) ZHf(format string, args ...any) *Error {
	e.ZH = fmt.Sprintf(format, args...)
	return e
}

// Error implements the error interface.
func (e *Error) Error() string {
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, msg, e.Err)
	}
	return e.Code + ": " + msg
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an invalid-input error naming the field at fault.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with the code and message that keeps err as its cause.
func Wrap(code string, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, or EInternal
// when there is none (an uncoded error is a bug). It returns "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-safe message of err: the message of its first
// *Error (prefixed by the field when there is one), or a generic text.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EInternal {
		if e.Field != "" {
			return e.Field + ": " + e.Message
		}
		return e.Message
	}
	return "An internal error occurred."
}

// MessageIn returns the user-safe message of err in the language lang: for
// "zh-CN" (or any "zh" tag) the Chinese message of its first *Error when it
// has one, and otherwise ErrorMessage(err). Internal errors get a generic
// text in the language.
func MessageIn(err error, lang string) string {
	if isChinese(lang) {
		var e *Error
		if !errors.As(err, &e) || e.Code == EInternal {
			return "系统内部出错，请稍后再试。"
		}
		if e.ZH != "" {
			return e.ZH
		}
	}
	return ErrorMessage(err)
}

func isChinese(lang string) bool {
	return lang == "zh" || strings.HasPrefix(strings.ToLower(lang), "zh-")
}

// Is reports whether err carries the code.
func Is(err error, code string) bool { return ErrorCode(err) == code }
