package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var localeFS embed.FS

// Languages the UI speaks; the first is the default.
var uiLanguages = []language.Tag{language.MustParse("zh-CN"), language.English}

var langMatcher = language.NewMatcher(uiLanguages)

const langCookie = "kedai_lang"

func NewBundle() (*i18n.Bundle, error) {
	b := i18n.NewBundle(uiLanguages[0])
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	// Each part of the UI keeps its own message files: <part>.zh-CN.json
	// and <part>.en.json. A message id may be defined only once.
	files, err := fs.Glob(localeFS, "locales/*.json")
	if err != nil {
		return nil, err
	}
	seen := map[string]string{}
	for _, f := range files {
		mf, err := b.LoadMessageFileFS(localeFS, f)
		if err != nil {
			return nil, fmt.Errorf("web: locale %s: %w", f, err)
		}
		for _, m := range mf.Messages {
			k := mf.Tag.String() + " " + m.ID
			if other, dup := seen[k]; dup {
				return nil, fmt.Errorf("web: message %q is in both %s and %s", m.ID, other, f)
			}
			seen[k] = f
		}
	}
	return b, nil
}

// PickLang chooses the UI language: an explicit ?lang= (which also sets the
// cookie), then the cookie of an earlier choice, then Accept-Language, then zh-CN.
func PickLang(c *gin.Context) string {
	if q := c.Query("lang"); q != "" {
		if l := normLang(q); l != "" {
			c.SetSameSite(http.SameSiteLaxMode)
			// Not a secret, but no script needs it either: HttpOnly, and
			// Secure over TLS like every cookie of the server.
			c.SetCookie(langCookie, l, 365*24*3600, "/", "", c.Request.TLS != nil, true)
			return l
		}
	}
	if v, err := c.Cookie(langCookie); err == nil {
		if l := normLang(v); l != "" {
			return l
		}
	}
	if al := c.GetHeader("Accept-Language"); al != "" {
		tags, _, err := language.ParseAcceptLanguage(al)
		if err == nil && len(tags) > 0 {
			_, idx, conf := langMatcher.Match(tags...)
			if conf != language.No {
				return uiLanguages[idx].String()
			}
		}
	}
	return "zh-CN"
}

func normLang(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "en" || strings.HasPrefix(s, "en-"):
		return "en"
	case s == "zh" || strings.HasPrefix(s, "zh"):
		return "zh-CN"
	}
	return ""
}

// Tr translates message ids for one language; templates call {{.T.T "id"}}.
type Tr struct {
	Lang string
	loc  *i18n.Localizer
}

// T returns the message with the id, formatted with alternating key/value
// template data; a missing message shows its id so gaps are visible.
func (t *Tr) T(id string, kv ...any) string {
	var data map[string]any
	if len(kv) > 1 {
		data = map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			data[fmt.Sprint(kv[i])] = kv[i+1]
		}
	}
	s, err := t.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// NewTr is a translator into lang from the bundle.
func NewTr(b *i18n.Bundle, lang string) *Tr {
	return &Tr{Lang: lang, loc: i18n.NewLocalizer(b, lang)}
}
