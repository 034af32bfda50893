package classify

import (
	"bytes"
	"testing"
)

// TestModelRoundTrip: the shipped model decodes, re-encodes to the same
// bytes, and a damaged file is refused with a message, never half-read.
func TestModelRoundTrip(t *testing.T) {
	m, err := parseModel(embeddedModel)
	if err != nil {
		t.Fatalf("embedded model: %v", err)
	}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	m2, err := parseModel(b)
	if err != nil {
		t.Fatalf("re-encoded model: %v", err)
	}
	for i := range m.dense {
		if m.dense[i] != m2.dense[i] {
			t.Fatalf("dense weight %d: %v, then %v", i, m.dense[i], m2.dense[i])
		}
	}
	for i := range m.hashed {
		if d := m.hashed[i] - m2.hashed[i]; d > 1e-6 || d < -1e-6 {
			t.Fatalf("hashed weight %d: %v, then %v", i, m.hashed[i], m2.hashed[i])
		}
	}
	for name, bad := range map[string][]byte{
		"no mark":   []byte("nothing"),
		"no header": []byte(modelMark + "{}"),
		"truncated": embeddedModel[:len(embeddedModel)-3],
		"trailing":  append(bytes.Clone(embeddedModel), 0),
		"shape":     bytes.Replace(bytes.Clone(embeddedModel), []byte(`"buckets":32768`), []byte(`"buckets":32767`), 1),
	} {
		if _, err := parseModel(bad); err == nil {
			t.Errorf("%s: a damaged model was accepted", name)
		}
	}
}
