package classify

import "testing"

// A negated resolution resolves nothing: under 仍未, 尚未, 未能, "has not
// been", the reverser does not flip the risk it stands after.
func TestNegatedReverser(t *testing.T) {
	c := newClassifier(t)
	cases := []struct{ title, summary, want string }{
		{"光伏电站补贴拖欠问题仍未解决", "多家电站运营商应收账款继续增加。", Risk},
		{"合同能源管理项目回款难问题尚未得到解决", "节能服务公司应收账款周转天数超过300天。", Risk},
		{"Export ban on gallium has not been lifted", "Shipments to overseas buyers remain frozen.", Risk},
		// Without the negator the reverser still flips.
		{"光伏电站补贴拖欠问题得到解决", "相关款项已全部发放到位。", Opportunity},
		{"Gallium export ban lifted", "Shipments to overseas buyers will resume next month.", Opportunity},
	}
	for _, tc := range cases {
		if l := c.Rules(tc.title, tc.summary); l.Polarity != tc.want {
			t.Errorf("%s: polarity %s, cues %+v; want %s", tc.title, l.Polarity, l.Cues, tc.want)
		}
	}
}

// A rebate or subsidy cut is a risk; a tax cut an opportunity. 退税率 is
// the rebate's rate, not a tax rate.
func TestRebateVersusTaxCut(t *testing.T) {
	c := newClassifier(t)
	cases := []struct{ title, summary, rule, want string }{
		{"光伏组件出口退税率由13%下调至9%", "财政部、税务总局公告自12月1日起执行。", "subsidy.down", Risk},
		{"China cuts export tax rebate rate for batteries", "The rate falls from 13% to 9% from December.", "subsidy.down", Risk},
		{"动力电池出口退税取消", "自明年起不再享受退税。", "subsidy.end", Risk},
		{"高新技术企业所得税税率下调至12%", "", "tax-burden.down", Opportunity},
		{"Government cuts corporate tax rate for chipmakers", "", "tax-burden.down", Opportunity},
	}
	for _, tc := range cases {
		l := c.Rules(tc.title, tc.summary)
		if _, ok := findRule(l, tc.rule); !ok || l.Polarity != tc.want {
			t.Errorf("%s: polarity %s, rule %s fired %v; want %s (cues %+v)", tc.title, l.Polarity, tc.rule, ok, tc.want, l.Cues)
		}
	}
}
