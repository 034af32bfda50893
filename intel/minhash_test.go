package intel

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"kedaitong/internal/store"
)

// TestStoredSignature: a bucket keeps the low 16 bits of each hash (172
// bytes instead of 512); the similarity it gives is the full one's up to
// chance agreements, and buckets stored before in hex still read, at 32
// bits.
func TestStoredSignature(t *testing.T) {
	a, ok := signature("赣州稀土永磁企业获批专项补贴，扩产项目开工", "企业表示，新产线将于年内投产，订单增长明显。")
	if !ok {
		t.Fatal("no signature")
	}
	s := sigString(a)
	if len(s) != 172 || !strings.HasPrefix(s, "h") {
		t.Fatalf("stored signature %q (%d bytes)", s, len(s))
	}
	got, bits, ok := parseSig(s)
	if !ok || bits != 16 {
		t.Fatalf("parse: ok %v bits %d", ok, bits)
	}
	for i := range a {
		if got[i] != a[i]&0xffff {
			t.Fatalf("hash %d: %x, want %x", i, got[i], a[i]&0xffff)
		}
	}
	if sim := similarityBits(a, got, bits); sim != 1 {
		t.Errorf("a signature against its stored form: %v, want 1", sim)
	}
	// The hex form of buckets stored before.
	b := make([]byte, 0, 4*sigLen)
	for _, v := range a {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	old, bits, ok := parseSig(hex.EncodeToString(b))
	if !ok || bits != 32 || old != a {
		t.Fatalf("old hex form: ok %v bits %d", ok, bits)
	}
	for _, bad := range []string{"", "h", "hxyz", "h" + strings.Repeat("A", 170), "zz", hex.EncodeToString(b[:100])} {
		if _, _, ok := parseSig(bad); ok {
			t.Errorf("parseSig(%q) accepted", bad)
		}
	}
	// Texts of every similarity: the 16-bit estimate is the 32-bit one
	// (up to a rare chance agreement).
	r := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("光伏 组件 价格 产能 锂电 债务 违约 芯片 工艺 稀土 出口 管制 机器人 订单 增长 融资 补贴 园区 项目 投产")
	text := func(n int) string {
		var sb strings.Builder
		for range n {
			sb.WriteString(words[r.IntN(len(words))])
		}
		return sb.String()
	}
	off := 0
	for i := range 300 {
		base := text(30)
		other := base[:len(base)*(i%10)/10] + text(30-3*(i%10))
		x, ok1 := signature(base, "")
		y, ok2 := signature(other, "")
		if !ok1 || !ok2 {
			continue
		}
		yy, bits, _ := parseSig(sigString(y))
		if d := similarityBits(x, yy, bits) - similarity(x, y); d < 0 || d > 2.0/sigLen {
			t.Fatalf("pair %d: 32-bit %v, stored %v", i, similarity(x, y), similarityBits(x, yy, bits))
		} else if d > 0 {
			off++
		}
	}
	if off > 3 {
		t.Errorf("%d of 300 estimates moved by the stored form", off)
	}
}

// TestRepostJoinsOldBucket: a re-post joins its original's story through a
// bucket in the new form and through one stored before in hex.
func TestRepostJoinsOldBucket(t *testing.T) {
	item := func(guid, title string) string {
		return fmt.Sprintf(`<item><title>%s</title><guid>%s</guid><pubDate>Mon, 02 Mar 2026 10:00:00 +0800</pubDate><description>江西省工业和信息化厅公布名单，企业将获得专项资金支持，用于新产线建设和研发投入。</description></item>`, title, guid)
	}
	feeds := map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>%s</title>%s</channel></rss>`, r.URL.Path, feeds[r.URL.Path])
	}))
	t.Cleanup(srv.Close)
	for _, old := range []bool{false, true} {
		t.Run(fmt.Sprintf("hex=%v", old), func(t *testing.T) {
			s, _ := newService(t, Options{})
			ctx := context.Background()
			pa, pb := fmt.Sprintf("/a%v", old), fmt.Sprintf("/b%v", old)
			feeds[pa] = item("a1", "赣州稀土永磁企业获批省级专项补贴，扩产项目开工建设")
			feeds[pb] = item("b1", "赣州稀土永磁企业获批省级专项补贴，扩产项目开工建设！")
			addSource(t, s, srv.URL+pa)
			if sum, err := s.CrawlOnce(ctx, false, nil); err != nil || sum.NewItems != 1 {
				t.Fatalf("first crawl %+v %v", sum, err)
			}
			n := 0
			page, err := s.buckets.Find(ctx, store.Query{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if err := forEach(page.Docs, func(d store.Doc) error {
				var b bucketDoc
				if err := d.Decode(&b); err != nil {
					return err
				}
				if !strings.HasPrefix(b.Sig, "h") || len(b.Sig) != 172 {
					t.Errorf("bucket %s stored %q", d.ID, b.Sig)
				}
				if old {
					// As a bucket written before: the full hashes in hex.
					sig, _, _ := parseSig(b.Sig)
					full, _ := signature("赣州稀土永磁企业获批省级专项补贴，扩产项目开工建设", "江西省工业和信息化厅公布名单，企业将获得专项资金支持，用于新产线建设和研发投入。")
					for i := range sig {
						if sig[i] != full[i]&0xffff {
							t.Fatalf("stored hash %d", i)
						}
					}
					raw := make([]byte, 0, 4*sigLen)
					for _, v := range full {
						raw = binary.LittleEndian.AppendUint32(raw, v)
					}
					b.Sig = hex.EncodeToString(raw)
					if _, err := s.buckets.Replace(ctx, d.ID, d.Version, &b); err != nil {
						return err
					}
				}
				n++
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if n != lshBands {
				t.Fatalf("%d buckets, want %d", n, lshBands)
			}
			addSource(t, s, srv.URL+pb)
			if sum, err := s.CrawlOnce(ctx, false, nil); err != nil || sum.NewItems != 1 {
				t.Fatalf("second crawl %+v %v", sum, err)
			}
			items := allItems(t, s, ItemFilter{})
			if len(items) != 2 {
				t.Fatalf("%d items", len(items))
			}
			first, repost := items[0], items[1]
			if !first.ClusterFirst {
				first, repost = repost, first
			}
			if !first.ClusterFirst || repost.ClusterFirst || repost.ClusterID != first.ID {
				t.Errorf("the re-post was not clustered: %+v / %+v", first, repost)
			}
		})
	}
}

func forEach(docs []store.Doc, f func(store.Doc) error) error {
	for _, d := range docs {
		if err := f(d); err != nil {
			return err
		}
	}
	return nil
}

// TestShingleHashIsFNV: the inline shingle hash is hash/fnv's FNV-1a over
// the runes as little-endian uint32s, so stored buckets keep matching.
func TestShingleHashIsFNV(t *testing.T) {
	title, summary := "赣州稀土永磁企业获批专项补贴", "Industrial robot orders surge as factories automate"
	got, ok := signature(title, summary)
	if !ok {
		t.Fatal("no signature")
	}
	rs := normaliseForDup(title, summary)
	k := 5
	han := 0
	for _, r := range rs {
		if r >= 0x4E00 && r <= 0x9FFF {
			han++
		}
	}
	if han*2 >= len(rs) {
		k = 3
	}
	var want [sigLen]uint32
	for i := range want {
		want[i] = ^uint32(0)
	}
	for i := 0; i+k <= len(rs); i++ {
		var buf []byte
		for _, r := range rs[i : i+k] {
			buf = binary.LittleEndian.AppendUint32(buf, uint32(r))
		}
		h := fnv.New64a()
		h.Write(buf)
		x := h.Sum64()
		for j := range want {
			if v := uint32((x*sigSeeds[j][0] + sigSeeds[j][1]) >> 32); v < want[j] {
				want[j] = v
			}
		}
	}
	if got != want {
		t.Errorf("signature differs from hash/fnv's")
	}
}
