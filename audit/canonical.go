package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// timeLayout is how the log writes times: RFC 3339 in UTC with exactly six
// fractional digits (microseconds), so every time has the same width and
// text order is time order.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// canonicalVersion opens every canonical encoding; a future format changes it.
const canonicalVersion = "kedaitong-audit-v1\n"

// canonical is the encoding Entry.Canonical documents.
func (r *record) canonical() []byte {
	b := make([]byte, 0, 256+len(r.DetailJSON))
	b = append(b, canonicalVersion...)
	field := func(name, v string) {
		b = append(b, name...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(len(v)), 10)
		b = append(b, ' ')
		b = append(b, v...)
		b = append(b, '\n')
	}
	field("seq", strconv.FormatInt(r.Seq, 10))
	field("time", r.Time)
	field("user_id", r.UserID)
	field("username", r.Username)
	field("role", r.Role)
	field("action", r.Action)
	field("object_kind", r.ObjectKind)
	field("object_id", r.ObjectID)
	field("outcome", r.Outcome)
	field("request_id", r.RequestID)
	field("region", r.Region)
	field("bank_id", r.BankID)
	field("detail", r.DetailJSON)
	field("prev_hash", r.PrevHash)
	return b
}

func hashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Canonical returns the deterministic encoding that e.Hash covers, so that
// a tool outside the platform can check an entry that List or the HTTP API
// returned: hex(SHA-256(e.Canonical())) == e.Hash. The format is
//
//	kedaitong-audit-v1 LF
//	then, for each field in this fixed order,
//	<name> SP <length of value in bytes, decimal> SP <value> LF
//
// with the fields seq (decimal), time (RFC 3339 in UTC with exactly six
// fractional digits: 2006-01-02T15:04:05.000000Z), user_id, username, role,
// action, object_kind, object_id, outcome, request_id, region (short form,
// see NormalizeRegion), bank_id, detail (the JSON that encoding/json writes
// for the detail map, keys sorted, or "" when there is none) and prev_hash
// (64 lowercase hex digits). The length prefix makes the encoding
// unambiguous whatever bytes a value holds.
func (e Entry) Canonical() ([]byte, error) {
	r, err := newRecord(e)
	if err != nil {
		return nil, err
	}
	r.Seq = e.Seq
	r.PrevHash = e.PrevHash
	return r.canonical(), nil
}

// ComputeHash returns the hash e.Canonical() gives, in lowercase hex.
func (e Entry) ComputeHash() (string, error) {
	b, err := e.Canonical()
	if err != nil {
		return "", err
	}
	return hashHex(b), nil
}
