package main

import (
	"slices"
	"testing"

	"kedaitong/intel/classify"
)

// TestReconcile: the corpus's own hand-written items are read as the blind
// labelling guide reads them, and only those: a cost move without supply
// news loses the supply chain, a tariff without demand news the market, a
// single product's approval its policy; items that tell of supply, demand
// or a rule keep theirs; target-domain and composed items are untouched.
func TestReconcile(t *testing.T) {
	item := func(title, summary string, dims ...string) keyed {
		return keyed{Example: classify.Example{Title: title, Summary: summary, Dimensions: dims}, hand: true}
	}
	ex := []keyed{
		item("光伏玻璃价格上涨 组件厂商成本承压", "组件企业表示难以向终端传导。", "market", "supply-chain"),
		item("Silver rally lifts solar cell costs", "Cell makers say paste costs rose.", "market", "supply-chain"),
		item("钴原料短缺 电池厂成本上升", "刚果（金）暂停出口导致原料短缺。", "market", "supply-chain"),
		item("US sets final duties on solar cells", "The Commerce Department set duties of up to 3,400%.", "policy", "market"),
		item("US tariffs hit Chinese module orders", "Orders fell by a third.", "policy", "market"),
		item("国家药监局批准首个国产ADC药物上市", "该药用于治疗乳腺癌。", "policy"),
		item("Regulator approves new rules for eVTOL operators", "Operators need a licence from March.", "policy"),
	}
	target := item("光伏玻璃价格上涨", "成本上升。", "market", "supply-chain")
	target.Target = true
	composed := item("光伏玻璃价格上涨", "成本上升。", "market", "supply-chain")
	composed.hand = false
	ex = append(ex, target, composed)
	if n := reconcile(ex); n != 4 {
		t.Errorf("%d items changed, want 4", n)
	}
	want := [][]string{{"market"}, {"market"}, {"market", "supply-chain"}, {"policy"}, {"policy", "market"}, {}, {"policy"},
		{"market", "supply-chain"}, {"market", "supply-chain"}}
	for i, w := range want {
		if !slices.Equal(ex[i].Dimensions, w) {
			t.Errorf("%q: dimensions %v, want %v", ex[i].Title, ex[i].Dimensions, w)
		}
	}
}
