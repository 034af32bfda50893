package intel

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"kedaitong/intel/classify"
)

// TestStoredItemForm: the stored form leaves out a first item's cluster
// id, a UTC publication time that published_ms says, and HTML that is one
// paragraph of the summary — and reading gives back exactly the item;
// anything else is kept; documents stored before (every field written)
// read as they are.
func TestStoredItemForm(t *testing.T) {
	pub := time.Date(2026, 3, 2, 2, 0, 0, 123e6, time.UTC)
	base := itemDoc{Item: Item{ID: "it_1", SourceID: "src_1", Title: "赣州稀土 & 永磁", Link: "http://example.com/1", Published: pub,
		Industries: []string{"rare-earth"}, Dimensions: []string{"policy"}, Polarity: "risk", ClusterID: "it_1", ClusterFirst: true,
		Enterprises: []string{}, Routes: []string{}, Severity: "normal", Cues: []classify.Cue{{Term: "管制", Polarity: "risk", Weight: 2}},
		Summary: `出口管制 <新规> "落地" & 企业'承压'`, Language: "zh", Fetched: pub.Add(time.Hour)},
		Key: "g1", PublishedMS: pub.UnixMilli(), Ingest: "ij_1"}
	base.SafeHTML = paragraphHTML(base.Summary)
	joined := base
	joined.ClusterID, joined.ClusterFirst = "it_0", false
	rich := base
	rich.SafeHTML = `<p>出口管制</p><p><a href="http://example.com" rel="nofollow">更多</a></p>`
	empty := base
	empty.Summary, empty.SafeHTML = "", ""
	zoned := base
	zoned.Published = pub.In(time.FixedZone("CST", 8*3600))
	for _, tc := range []struct {
		name  string
		d     itemDoc
		left  []string // fields left out of the stored form
		right []string // fields kept
	}{
		{"first item, plain entry", base, []string{`"cluster_id"`, `"published"`, `"safe_html"`}, nil},
		{"joined a story", joined, []string{`"published"`, `"safe_html"`}, []string{`"cluster_id":"it_0"`}},
		{"rich HTML", rich, []string{`"cluster_id"`}, []string{`"safe_html"`}},
		{"no body", empty, []string{`"cluster_id"`, `"safe_html"`}, nil},
		{"time in another zone", zoned, []string{`"cluster_id"`}, []string{`"published":"2026-03-02T10:00:00.123+08:00"`}},
	} {
		b, err := json.Marshal(&tc.d)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range tc.left {
			if strings.Contains(string(b), f) {
				t.Errorf("%s: %s stored: %s", tc.name, f, b)
			}
		}
		for _, f := range tc.right {
			if !strings.Contains(string(b), f) {
				t.Errorf("%s: %s not stored: %s", tc.name, f, b)
			}
		}
		for _, f := range []string{`"id":"it_1"`, `"published_ms"`, `"cluster_first"`, `"polarity"`, `"source_id"`} {
			if !strings.Contains(string(b), f) {
				t.Errorf("%s: %s (indexed or needed) not stored: %s", tc.name, f, b)
			}
		}
		var got itemDoc
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if !got.Published.Equal(tc.d.Published) {
			t.Errorf("%s: published %v, want %v", tc.name, got.Published, tc.d.Published)
		}
		got.Published = tc.d.Published
		if !reflect.DeepEqual(got, tc.d) {
			t.Errorf("%s: read back\n%+v\nwant\n%+v", tc.name, got, tc.d)
		}
		// Stored before: every field written.
		full, err := json.Marshal(itemDocFields(tc.d))
		if err != nil {
			t.Fatal(err)
		}
		var old itemDoc
		if err := json.Unmarshal(full, &old); err != nil {
			t.Fatal(err)
		}
		old.Published = tc.d.Published
		if !reflect.DeepEqual(old, tc.d) {
			t.Errorf("%s: old form read back\n%+v\nwant\n%+v", tc.name, old, tc.d)
		}
		if len(b) >= len(full) && tc.name == "first item, plain entry" {
			t.Errorf("stored form %d bytes, full %d", len(b), len(full))
		}
	}
}
