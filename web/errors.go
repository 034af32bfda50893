package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"kedaitong"
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

// StatusOf returns the HTTP status for an error.
func StatusOf(err error) int {
	if s, ok := statusOf[kedaitong.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// abortWithError writes err as the contract's error body with its status and
// stops the chain. Internal errors are logged with the request id and shown
// to the user only as a generic message.
func abortWithError(c *gin.Context, err error) {
	code := kedaitong.ErrorCode(err)
	status := StatusOf(err)
	if code == kedaitong.EInternal {
		slog.ErrorContext(c.Request.Context(), "internal error", "err", err, "request_id", requestID(c), "route", c.FullPath())
	}
	c.Set(ctxErrorKey, err)
	body := ErrorBody{Error: ErrorDetail{Code: code, Message: kedaitong.ErrorMessage(err)}}
	var e *kedaitong.Error
	if errors.As(err, &e) {
		body.Error.Field = e.Field
	}
	c.AbortWithStatusJSON(status, body)
}

const ctxErrorKey = "kedai.error"
