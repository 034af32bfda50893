package ui

import (
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"kedaitong/experts"
	"kedaitong/identity"
	"kedaitong/web"
)

// expertName is an expert as officials see one named on a page: the name
// and the current organisation, never the internal id.
type expertName struct {
	ID, Name, Org string
}

// Label is "name（organisation）", or the name alone.
func (e expertName) Label() string {
	if e.Org == "" {
		return e.Name
	}
	return e.Name + "（" + e.Org + "）"
}

// currentOrg is the expert's current organisation (the first one without an
// end), else the latest one.
func currentOrg(orgs []struct{ Name, To string }) string {
	for _, o := range orgs {
		if o.To == "" {
			return o.Name
		}
	}
	if len(orgs) > 0 {
		return orgs[len(orgs)-1].Name
	}
	return ""
}

// expertNames names the experts ids (for officials and admins: the caller
// must be allowed to see who the experts are); an expert that cannot be
// read keeps a neutral label, never its id.
func (s *ui) expertNames(c *gin.Context, ids []string) map[string]expertName {
	out := map[string]expertName{}
	if s.Deps.Experts == nil {
		return out
	}
	for _, id := range ids {
		if id == "" {
			continue
		}
		if _, ok := out[id]; ok {
			continue
		}
		e, err := s.Deps.Experts.Profile(c.Request.Context(), id)
		if err != nil {
			out[id] = expertName{ID: id, Name: s.tr(c).T("consult.expert.unknown")}
			continue
		}
		var orgs []struct{ Name, To string }
		for _, o := range e.Organisations {
			orgs = append(orgs, struct{ Name, To string }{o.Name, o.To})
		}
		out[id] = expertName{ID: id, Name: e.Name, Org: currentOrg(orgs)}
	}
	return out
}

// expertChoice is an expert offered by the users form's picker.
type expertChoice struct {
	ID, Label string
	Taken     bool // an account is linked to the expert already
}

// expertChoices lists the experts of the library the actor may see, by
// name with organisation and tier, sorted by name in the page's language;
// those linked to one of users are marked taken.
func (s *ui) expertChoices(c *gin.Context, actor identity.User, users []identity.User, lang string) []expertChoice {
	if s.Deps.Experts == nil || !experts.SeesContact(actor) { // officials and admins
		return nil
	}
	ctx := c.Request.Context()
	f := experts.Filter{Limit: 500}
	es, _, err := readAll(func(cur string) ([]experts.Expert, string, error) {
		f.Cursor = cur
		return s.Deps.Experts.Search(ctx, actor, f)
	})
	if err != nil {
		return nil
	}
	taken := map[string]bool{}
	for _, u := range users {
		if u.ExpertID != "" {
			taken[u.ExpertID] = true
		}
	}
	tr := web.NewTr(s.bundle, lang)
	tag := language.Chinese
	if lang == "en" {
		tag = language.English
	}
	coll := collate.New(tag, collate.Loose)
	out := make([]expertChoice, 0, len(es))
	for _, e := range es {
		var orgs []struct{ Name, To string }
		for _, o := range e.Organisations {
			orgs = append(orgs, struct{ Name, To string }{o.Name, o.To})
		}
		label := expertName{Name: e.Name, Org: currentOrg(orgs)}.Label()
		if t := tr.T("experts.tier." + e.Tier); t != "experts.tier."+e.Tier {
			label += " · " + t
		}
		out = append(out, expertChoice{ID: e.ID, Label: label, Taken: taken[e.ID]})
	}
	slices.SortStableFunc(out, func(a, b expertChoice) int { return coll.CompareString(a.Label, b.Label) })
	return out
}

// bankNamer replaces the ids of the banks the actor may see by their names
// in a text written by a domain (a notification naming a bank by its id).
func (s *ui) bankNamer(c *gin.Context, actor identity.User) func(string) string {
	names := s.bankNames(c, actor)
	var pairs []string
	for id, name := range names {
		if id != "" && name != "" {
			pairs = append(pairs, id, name)
		}
	}
	if len(pairs) == 0 {
		return func(t string) string { return t }
	}
	r := strings.NewReplacer(pairs...)
	return r.Replace
}
