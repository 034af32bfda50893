package intel

import (
	"encoding/json"
	"html"
	"time"
)

// The stored form of an item leaves out what the rest of it says: a
// story's first item is its own cluster (cluster_id left out), the
// publication time is published_ms (published left out when it is exactly
// that instant in UTC, as ingest stores it), and the sanitised HTML of a
// plain entry is one paragraph of its summary (safe_html left out when it
// is exactly that). Items are appended to their table, a page holding
// whole items: a bench item of 2.3 KB filled a 4 KB page alone, about
// 2.0 KB lets two share one (issue 19). Reading restores each field;
// documents stored before, which carry every field, read as they are.

// itemDocFields is itemDoc without its JSON methods.
type itemDocFields itemDoc

// storedItemDoc shadows the fields left out (encoding/json prefers the
// shallower field of a name).
type storedItemDoc struct {
	*itemDocFields
	ClusterID string     `json:"cluster_id,omitempty"` // empty: the item's own id
	Published *time.Time `json:"published,omitempty"`  // nil: published_ms
	SafeHTML  *string    `json:"safe_html,omitempty"`  // nil: paragraphHTML(summary)
}

// paragraphHTML is the sanitised HTML of an entry whose body is one plain
// paragraph (none for an empty summary).
func paragraphHTML(summary string) string {
	if summary == "" {
		return ""
	}
	return "<p>" + html.EscapeString(summary) + "</p>"
}

// MarshalJSON writes the stored form.
func (d itemDoc) MarshalJSON() ([]byte, error) {
	return json.Marshal(d.stored())
}

// stored is the document to store (ingest hands it to the store as it is,
// sparing encoding/json the second pass over what MarshalJSON returns).
func (d *itemDoc) stored() storedItemDoc {
	f := itemDocFields(*d)
	s := storedItemDoc{itemDocFields: &f}
	if d.ClusterID != d.ID {
		s.ClusterID = d.ClusterID
	}
	if d.Published.Location() != time.UTC || !d.Published.Equal(time.UnixMilli(d.PublishedMS)) {
		p := d.Published
		s.Published = &p
	}
	if d.SafeHTML != paragraphHTML(d.Summary) {
		h := d.SafeHTML
		s.SafeHTML = &h
	}
	return s
}

// UnmarshalJSON reads the stored form (and documents stored before it).
func (d *itemDoc) UnmarshalJSON(b []byte) error {
	var f itemDocFields
	s := storedItemDoc{itemDocFields: &f}
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*d = itemDoc(f)
	d.ClusterID = s.ClusterID
	if d.ClusterID == "" {
		d.ClusterID = d.ID
	}
	if s.Published != nil {
		d.Published = *s.Published
	} else {
		d.Published = time.UnixMilli(d.PublishedMS).UTC()
	}
	if s.SafeHTML != nil {
		d.SafeHTML = *s.SafeHTML
	} else {
		d.SafeHTML = paragraphHTML(d.Summary)
	}
	return nil
}
