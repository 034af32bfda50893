package kedaitong

import "context"

type requestIDKey struct{}

// WithRequestID returns a context carrying the request's id, so that what a
// request causes (audit entries, logs) can name it.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id the context carries, or "".
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey{}).(string)
	return s
}
