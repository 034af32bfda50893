package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"

	"kedaitong"
	"kedaitong/fund"
)

// statusOf is the one table from error codes to HTTP statuses.
var statusOf = map[string]int{
	kedaitong.EInvalid:      http.StatusBadRequest,
	kedaitong.EUnauthorized: http.StatusUnauthorized,
	kedaitong.EForbidden:    http.StatusForbidden,
	kedaitong.ENotFound:     http.StatusNotFound,
	kedaitong.EConflict:     http.StatusConflict,
	kedaitong.ETooLarge:     http.StatusRequestEntityTooLarge,
	kedaitong.EUnsupported:  http.StatusUnsupportedMediaType,
	kedaitong.ERateLimited:  http.StatusTooManyRequests,
	kedaitong.EUnavailable:  http.StatusServiceUnavailable,
	kedaitong.EInternal:     http.StatusInternalServerError,
	codeMethodNotAllowed:    http.StatusMethodNotAllowed,
	// The fund's own conflicts (package fund).
	fund.ECapacityExceeded:    http.StatusConflict,
	fund.EBankSuspended:       http.StatusConflict,
	fund.EEnterpriseDishonest: http.StatusConflict,
}

const codeMethodNotAllowed = "method_not_allowed"

// ErrorBody is the contract's error body.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// StatusOf returns the HTTP status for an error: 200 for none, so a page
// that renders a list with or without an error answers what it shows.
func StatusOf(err error) int {
	if err == nil {
		return http.StatusOK
	}
	if s, ok := statusOf[kedaitong.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// AbortWithError writes err as the contract's error body with its status and
// stops the chain. The message is in English unless the request asks for
// Chinese (APILang); the code never depends on the language. Internal errors are logged with the request id and shown
// to the user only as a generic message.
func AbortWithError(c *gin.Context, err error) {
	code := kedaitong.ErrorCode(err)
	status := StatusOf(err)
	if code == kedaitong.EInternal {
		slog.ErrorContext(c.Request.Context(), "internal error", "err", err, "request_id", requestID(c), "route", c.FullPath())
	}
	c.Set(ctxErrorKey, err)
	body := ErrorBody{Error: ErrorDetail{Code: code, Message: kedaitong.MessageIn(err, APILang(c))}}
	var e *kedaitong.Error
	if errors.As(err, &e) {
		body.Error.Field = e.Field
	}
	c.AbortWithStatusJSON(status, body)
}

const ctxErrorKey = "kedai.error"

// ErrText is err's user-safe message in the page's language (PickLang): the
// Chinese message on zh-CN pages where the error has one.
func ErrText(c *gin.Context, err error) string {
	return kedaitong.MessageIn(err, PickLang(c))
}

// FieldText is an input error's message for display beside its input, so
// without the field name, in lang.
func FieldText(lang string, e *kedaitong.Error) string {
	if lang != "en" && e.ZH != "" {
		return e.ZH
	}
	return e.Message
}

// APILang is the language of the JSON API's error messages: Chinese only
// when the request asks for it — ?lang=zh-CN, the kedai_lang cookie of an
// earlier choice, or an Accept-Language that prefers Chinese — and English
// otherwise, so that API clients that ask for nothing keep English texts.
// Unlike PickLang it never sets the cookie.
func APILang(c *gin.Context) string {
	if l := normLang(c.Query("lang")); l != "" {
		return l
	}
	if v, err := c.Cookie(langCookie); err == nil {
		if l := normLang(v); l != "" {
			return l
		}
	}
	if al := c.GetHeader("Accept-Language"); al != "" {
		tags, _, err := language.ParseAcceptLanguage(al)
		if err == nil && len(tags) > 0 {
			if _, idx, conf := langMatcher.Match(tags...); conf != language.No {
				return uiLanguages[idx].String()
			}
		}
	}
	return "en"
}
