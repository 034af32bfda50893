package kedaitong_test

import (
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// The layers of ARCHITECTURE.md, bottom up. A package may import packages
// of its own layer or of lower ones, never of a higher one.
const (
	layerLeaf = iota
	layerStore
	layerDomain
	layerWeb
	layerApp
	layerCmd
)

var layerNames = []string{"leaf", "store", "domain", "web", "app", "cmd"}

// leaves are packages that know nothing of the store or of each other's
// domains: the error vocabulary, the taxonomy, parsers, the optimiser, the
// classifier, configuration and test tools.
var leaves = []string{"kedaitong", "kedaitong/taxonomy", "kedaitong/internal/config", "kedaitong/internal/sheet",
	"kedaitong/internal/browsertest", "kedaitong/intel/feed", "kedaitong/intel/fetch", "kedaitong/intel/classify",
	"kedaitong/intel/demo", "kedaitong/review/match"}

func layerOf(pkg string) int {
	switch {
	case strings.HasPrefix(pkg, "kedaitong/cmd/"):
		return layerCmd
	case pkg == "kedaitong/app" || strings.HasPrefix(pkg, "kedaitong/app/"):
		return layerApp
	case pkg == "kedaitong/web" || strings.HasPrefix(pkg, "kedaitong/web/"):
		return layerWeb
	case pkg == "kedaitong/internal/store" || strings.HasPrefix(pkg, "kedaitong/internal/store/"):
		return layerStore
	}
	for _, l := range leaves {
		if pkg == l || (l != "kedaitong" && strings.HasPrefix(pkg, l+"/")) {
			return layerLeaf
		}
	}
	return layerDomain
}

// thirdParty names the only packages that may import a library.
var thirdParty = map[string][]string{
	"github.com/gin-gonic/gin":            {"kedaitong/web"},
	"go.mongodb.org/mongo-driver":         {"kedaitong/internal/store"},
	"modernc.org/sqlite":                  {"kedaitong/internal/store"},
	"github.com/FerretDB/FerretDB":        {"kedaitong/internal/store"},
	"github.com/casbin/casbin":            {"kedaitong/rbac"},
	"github.com/mmcdole/gofeed":           {"kedaitong/intel/feed"},
	"github.com/chromedp":                 {"kedaitong/internal/browsertest"},
	"github.com/prometheus/client_golang": {"kedaitong/web", "kedaitong/app"},
}

type pkgImports struct {
	path    string
	imports []string
}

func listPackages(t *testing.T, tests bool) []pkgImports {
	t.Helper()
	format := `{{.ImportPath}} {{join .Imports " "}}`
	if tests {
		format = `{{.ImportPath}} {{join .Imports " "}} {{join .TestImports " "}} {{join .XTestImports " "}}`
	}
	out, err := exec.Command("go", "list", "-f", format, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var ps []pkgImports
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		ps = append(ps, pkgImports{path: f[0], imports: f[1:]})
	}
	return ps
}

// TestLayers enforces the rule of ARCHITECTURE.md from the import graph:
// no arrow runs up a layer, only cmd imports app, the web core never
// imports its API or its pages, and each library stays in the package that
// owns it.
func TestLayers(t *testing.T) {
	var up []string
	for _, p := range listPackages(t, false) {
		from := layerOf(p.path)
		for _, imp := range p.imports {
			if strings.HasPrefix(imp, "kedaitong") && (imp == "kedaitong" || strings.HasPrefix(imp, "kedaitong/")) {
				if to := layerOf(imp); to > from {
					up = append(up, p.path+" ("+layerNames[from]+") -> "+imp+" ("+layerNames[to]+")")
				}
				if imp == "kedaitong/app" && from != layerCmd {
					t.Errorf("%s imports the composition root; only cmd may", p.path)
				}
				if p.path == "kedaitong/web" && strings.HasPrefix(imp, "kedaitong/web/") {
					t.Errorf("the web core imports %s: the API and the pages build on the core, not the other way", imp)
				}
				continue
			}
			for lib, owners := range thirdParty {
				if imp != lib && !strings.HasPrefix(imp, lib+"/") && !strings.HasPrefix(imp, lib) {
					continue
				}
				ok := false
				for _, o := range owners {
					if p.path == o || strings.HasPrefix(p.path, o+"/") {
						ok = true
					}
				}
				if !ok {
					t.Errorf("%s imports %s; only %v may", p.path, imp, owners)
				}
			}
		}
	}
	sort.Strings(up)
	for _, a := range up {
		t.Errorf("import runs up a layer: %s", a)
	}
}

// TestTestsKeepTheirPlace: tests may build on higher layers (web's tests
// start the whole app) but no test imports a driver outside the store.
func TestTestsKeepTheirPlace(t *testing.T) {
	for _, p := range listPackages(t, true) {
		for _, imp := range p.imports {
			for _, lib := range []string{"go.mongodb.org/mongo-driver", "modernc.org/sqlite"} {
				if strings.HasPrefix(imp, lib) && !strings.HasPrefix(p.path, "kedaitong/internal/store") {
					t.Errorf("%s (or its tests) imports %s; only the store may", p.path, imp)
				}
			}
		}
	}
}
