package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Draft saves acknowledged before a kill -9 (issue 19: group commit, the
// revisions kept outside the score document) are all there after the
// restart: each seat's score is at least at its last acknowledged revision,
// and its history holds every acknowledged revision with its own content,
// revisions 1..n without a gap — also after the next save.
func TestDurabilityKill9DuringDraftSaves(t *testing.T) {
	dir := t.TempDir()
	p := launch(t, "--data", dir, "--demo")
	if why := p.wait(120 * time.Second); why != "" {
		t.Fatal(why)
	}
	k := newKClient(p)
	var apps []string
	for i := range 2 {
		r := k.as(t, "gzbank.officer", "POST", "/api/v1/applications", applicationBody("360702", 7300+i))
		if r.status != 201 {
			t.Fatalf("application = %d %s", r.status, r.body)
		}
		id := r.obj(t)["id"].(string)
		if r := k.as(t, "gzbank.officer", "POST", "/api/v1/applications/"+id+"/submit", ""); r.status != 200 {
			t.Fatalf("submit application = %d %s", r.status, r.body)
		}
		apps = append(apps, id)
	}
	if r := k.as(t, "official.jiangxi", "POST", "/api/v1/assignments/run", ""); r.status != 200 {
		t.Fatalf("run = %d %s", r.status, r.body)
	}
	made := map[string]bool{}
	var seats []seat
	for _, app := range apps {
		items, _ := k.as(t, "official.jiangxi", "GET", "/api/v1/assignments?limit=500&application="+app, "").items(t)
		for _, a := range items {
			id, exp := a["id"].(string), a["expert_id"].(string)
			user := "x.expert." + exp
			if !made[user] {
				made[user] = true
				if r := k.as(t, "admin", "POST", "/api/v1/users", fmt.Sprintf(`{"username":%q,"password":"Contract pass 2026 ok","role":"expert","expert_id":%q}`, user, exp)); r.status != 201 {
					t.Fatalf("expert user = %d %s", r.status, r.body)
				}
			}
			if r := k.as(t, user, "POST", "/api/v1/assignments/"+id+"/accept", ""); r.status != 200 {
				t.Fatalf("accept = %d %s", r.status, r.body)
			}
			k.tok(t, user)
			seats = append(seats, seat{id, app, user})
		}
	}
	if len(seats) < 4 {
		t.Fatalf("only %d seats", len(seats))
	}
	comment := func(seat string, n int) string { return fmt.Sprintf("%s 第%d稿", seat, n) }
	var (
		mu    sync.Mutex
		acked = map[string]map[int]string{} // seat → revision → comment
		total int
		wg    sync.WaitGroup
	)
	for _, s := range seats {
		acked[s.id] = map[int]string{}
		tok := k.tokOf(s.user)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 1; ; n++ {
				body := strings.Replace(killScore, "工艺成熟度有待验证", comment(s.id, n), 1)
				rev, ok := trySave(p.url, s.id, tok, body)
				if !ok {
					return // the server is gone
				}
				if rev > 0 {
					mu.Lock()
					acked[s.id][rev] = comment(s.id, n)
					total++
					mu.Unlock()
				}
			}
		}()
	}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := total
		mu.Unlock()
		if n >= 10*len(seats) {
			break
		}
	}
	kill9(t, p)
	wg.Wait()
	if total < 2*len(seats) {
		t.Fatalf("only %d saves acknowledged before the kill", total)
	}

	p = launch(t, "--data", dir)
	if why := p.wait(60 * time.Second); why != "" {
		t.Fatal(why)
	}
	k2 := newKClient(p)
	check := func(when string) {
		for _, s := range seats {
			r := k2.as(t, s.user, "GET", "/api/v1/assignments/"+s.id+"/score", "")
			if r.status != 200 {
				t.Fatalf("score = %d %s", r.status, r.body)
			}
			var sc struct {
				Revision int    `json:"revision"`
				Comment  string `json:"comment"`
				History  []struct {
					Revision int `json:"revision"`
					Content  struct {
						Comment string `json:"comment"`
					} `json:"content"`
				} `json:"history"`
			}
			if err := json.Unmarshal(r.body, &sc); err != nil {
				t.Fatal(err)
			}
			last := 0
			for rev := range acked[s.id] {
				last = max(last, rev)
			}
			if sc.Revision < last {
				t.Errorf("%s %s: revision %d, %d was acknowledged", when, s.id, sc.Revision, last)
			}
			if len(sc.History) != sc.Revision {
				t.Errorf("%s %s: %d revisions in the history of revision %d", when, s.id, len(sc.History), sc.Revision)
			}
			for i, h := range sc.History {
				if h.Revision != i+1 {
					t.Errorf("%s %s: history[%d] is revision %d", when, s.id, i, h.Revision)
					break
				}
				if c, ok := acked[s.id][h.Revision]; ok && h.Content.Comment != c {
					t.Errorf("%s %s: revision %d says %q, %q was acknowledged", when, s.id, h.Revision, h.Content.Comment, c)
				}
			}
		}
	}
	check("after kill -9")
	for _, s := range seats {
		if r := k2.as(t, s.user, "PUT", "/api/v1/assignments/"+s.id+"/score", killScore); r.status != 200 {
			t.Fatalf("save after the restart = %d %s", r.status, r.body)
		}
	}
	check("after the next save")
	t.Logf("%d acknowledged saves over %d seats, all kept after kill -9", total, len(seats))
}

// trySave saves a draft; rev is the acknowledged revision (0 when refused),
// ok is false when the server is gone.
func trySave(base, id, token, body string) (rev int, ok bool) {
	req, _ := http.NewRequest("PUT", base+"/api/v1/assignments/"+id+"/score", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cookie", "kedai_session="+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, false
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, false // cut off mid-answer: not acknowledged
	}
	if res.StatusCode != 200 {
		return 0, true
	}
	var sc struct {
		Revision int `json:"revision"`
	}
	if json.Unmarshal(b, &sc) != nil {
		return 0, true
	}
	return sc.Revision, true
}
