package ui

// Pickers: choices by name where a code is stored (regions, banks,
// experts), so that no form asks a user to type an internal code.

import (
	"strings"

	"kedaitong/taxonomy"
)

// regionChoice is one option of a region select: the province, a city, or
// a county (indented under its city).
type regionChoice struct {
	Code, Name, Indent string
	Selected           bool
}

// regionPick is what the "region-select" partial draws.
type regionPick struct {
	Name, ID, Any, Describe string
	Options                 []regionChoice
}

// regionSelect builds a region select from options (regionOptions) with
// value chosen; a code the list does not know stays as a named option.
func regionSelect(name, id, value string, options []codeName, any string) regionPick {
	p := regionPick{Name: name, ID: id, Any: any}
	known := false
	for _, o := range options {
		c := regionChoice{Code: o.Code, Name: o.Name, Selected: o.Code == value}
		switch len(o.Code) {
		case 4:
			c.Indent = "\u3000"
		case 6:
			c.Indent = "\u3000\u3000"
		}
		known = known || c.Selected
		p.Options = append(p.Options, c)
	}
	if value = strings.TrimSpace(value); value != "" && !known {
		p.Options = append(p.Options, regionChoice{Code: value, Name: taxonomy.RegionNameOf(value, "zh-CN"), Selected: true})
	}
	return p
}

func init() {
	funcs["regionSelect"] = regionSelect
}
