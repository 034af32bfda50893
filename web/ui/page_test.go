package ui

import "testing"

func TestPageField(t *testing.T) {
	zh, en := Page{Lang: "zh-CN"}, Page{Lang: "en"}
	if got := zh.Field("semiconductors"); got != "半导体" {
		t.Errorf("zh industry = %q", got)
	}
	if got := en.Field("semiconductors.ic-design"); got != "Semiconductors · IC design" {
		t.Errorf("en route = %q", got)
	}
	if got := en.Field("not-a-code"); got != "not-a-code" {
		t.Errorf("unknown code = %q", got)
	}
}
