package web

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

// The access log writes one line per request with its route, status,
// duration and user at info level, errors at error level; above info
// (--log-level warn) it writes only the failures.
func TestAccessLogLevels(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	for _, tc := range []struct {
		level    slog.Level
		path     string
		wantLine bool
	}{
		{slog.LevelInfo, "/ok", true},
		{slog.LevelInfo, "/boom", true},
		{slog.LevelWarn, "/ok", false},
		{slog.LevelWarn, "/boom", true},
	} {
		var buf bytes.Buffer
		log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: tc.level}))
		e := gin.New()
		e.Use(accessLog(log))
		e.GET("/ok", func(c *gin.Context) { c.Set(CtxUserIDKey, "u-1"); c.String(http.StatusOK, "fine") })
		e.GET("/boom", func(c *gin.Context) { c.String(http.StatusInternalServerError, "no") })
		w := httptest.NewRecorder()
		e.ServeHTTP(w, httptest.NewRequest("GET", tc.path, nil))
		if !tc.wantLine {
			if buf.Len() != 0 {
				t.Errorf("level %v %s: logged %s, want nothing", tc.level, tc.path, buf.String())
			}
			continue
		}
		var line map[string]any
		if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
			t.Fatalf("level %v %s: log %q: %v", tc.level, tc.path, buf.String(), err)
		}
		if line["msg"] != "request" || line["route"] != tc.path || line["method"] != "GET" || line["duration_ms"] == nil {
			t.Errorf("level %v %s: line %v", tc.level, tc.path, line)
		}
		if tc.path == "/ok" && (line["status"] != float64(200) || line["user"] != "u-1" || line["level"] != "INFO") {
			t.Errorf("level %v %s: line %v", tc.level, tc.path, line)
		}
		if tc.path == "/boom" && (line["status"] != float64(500) || line["level"] != "ERROR") {
			t.Errorf("level %v %s: line %v", tc.level, tc.path, line)
		}
	}
}
