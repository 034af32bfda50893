package web

import (
	"encoding/json"
	"io/fs"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// TestEveryMessageInBothLanguages fails when a message id exists in one
// language only, so no page shows an untranslated id.
func TestEveryMessageInBothLanguages(t *testing.T) {
	b, err := NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]map[string]bool{}
	for _, tag := range b.LanguageTags() {
		ids[tag.String()] = map[string]bool{}
	}
	files := mustGlob(t)
	for _, f := range files {
		data, _ := localeFS.ReadFile(f)
		mf, err := i18n.ParseMessageFileBytes(data, f, map[string]i18n.UnmarshalFunc{"json": jsonUnmarshal})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mf.Messages {
			if ids[mf.Tag.String()] == nil {
				ids[mf.Tag.String()] = map[string]bool{}
			}
			ids[mf.Tag.String()][m.ID] = true
		}
	}
	for id := range ids["zh-CN"] {
		if !ids["en"][id] {
			t.Errorf("message %q has no English text", id)
		}
	}
	for id := range ids["en"] {
		if !ids["zh-CN"][id] {
			t.Errorf("message %q has no Chinese text", id)
		}
	}
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

func mustGlob(t *testing.T) []string {
	files, err := fs.Glob(localeFS, "locales/*.json")
	if err != nil || len(files) < 2 {
		t.Fatalf("locale files: %v %v", files, err)
	}
	return files
}
