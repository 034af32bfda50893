package taxonomy

import (
	"sort"
	"strings"
)

// Regions: Jiangxi Province's administrative divisions (GB/T 2260) — the
// province "36", its eleven prefecture-level cities "36cc" and their
// one hundred county-level divisions "36ccdd" — with their names in both
// languages, for forms that pick a region by name and pages that show one.
// Codes no longer in use (counties that became districts or merged) are
// not listed for picking; RegionNameOf names them by their successor and
// their former name, since older records (other departments' files, credit
// codes issued before the change) still carry them.

// Region is one administrative division.
type Region struct {
	Code string `json:"code"`
	Name Text   `json:"name"`
}

// ProvinceCode is Jiangxi's code.
const ProvinceCode = "36"

var province = Region{Code: ProvinceCode, Name: Text{ZH: "江西省", EN: "Jiangxi"}}

var cities = []Region{
	{"3601", Text{"南昌市", "Nanchang"}}, {"3602", Text{"景德镇市", "Jingdezhen"}},
	{"3603", Text{"萍乡市", "Pingxiang"}}, {"3604", Text{"九江市", "Jiujiang"}},
	{"3605", Text{"新余市", "Xinyu"}}, {"3606", Text{"鹰潭市", "Yingtan"}},
	{"3607", Text{"赣州市", "Ganzhou"}}, {"3608", Text{"吉安市", "Ji'an"}},
	{"3609", Text{"宜春市", "Yichun"}}, {"3610", Text{"抚州市", "Fuzhou"}},
	{"3611", Text{"上饶市", "Shangrao"}},
}

var counties = []Region{
	// 南昌市
	{"360102", Text{"东湖区", "Donghu District"}}, {"360103", Text{"西湖区", "Xihu District"}},
	{"360104", Text{"青云谱区", "Qingyunpu District"}}, {"360111", Text{"青山湖区", "Qingshanhu District"}},
	{"360112", Text{"新建区", "Xinjian District"}}, {"360113", Text{"红谷滩区", "Honggutan District"}},
	{"360121", Text{"南昌县", "Nanchang County"}}, {"360123", Text{"安义县", "Anyi County"}},
	{"360124", Text{"进贤县", "Jinxian County"}},
	// 景德镇市
	{"360202", Text{"昌江区", "Changjiang District"}}, {"360203", Text{"珠山区", "Zhushan District"}},
	{"360222", Text{"浮梁县", "Fuliang County"}}, {"360281", Text{"乐平市", "Leping"}},
	// 萍乡市
	{"360302", Text{"安源区", "Anyuan District"}}, {"360313", Text{"湘东区", "Xiangdong District"}},
	{"360321", Text{"莲花县", "Lianhua County"}}, {"360322", Text{"上栗县", "Shangli County"}},
	{"360323", Text{"芦溪县", "Luxi County"}},
	// 九江市
	{"360402", Text{"濂溪区", "Lianxi District"}}, {"360403", Text{"浔阳区", "Xunyang District"}},
	{"360404", Text{"柴桑区", "Chaisang District"}}, {"360423", Text{"武宁县", "Wuning County"}},
	{"360424", Text{"修水县", "Xiushui County"}}, {"360425", Text{"永修县", "Yongxiu County"}},
	{"360426", Text{"德安县", "De'an County"}}, {"360428", Text{"都昌县", "Duchang County"}},
	{"360429", Text{"湖口县", "Hukou County"}}, {"360430", Text{"彭泽县", "Pengze County"}},
	{"360481", Text{"瑞昌市", "Ruichang"}}, {"360482", Text{"共青城市", "Gongqingcheng"}},
	{"360483", Text{"庐山市", "Lushan"}},
	// 新余市
	{"360502", Text{"渝水区", "Yushui District"}}, {"360521", Text{"分宜县", "Fenyi County"}},
	// 鹰潭市
	{"360602", Text{"月湖区", "Yuehu District"}}, {"360603", Text{"余江区", "Yujiang District"}},
	{"360681", Text{"贵溪市", "Guixi"}},
	// 赣州市
	{"360702", Text{"章贡区", "Zhanggong District"}}, {"360703", Text{"南康区", "Nankang District"}},
	{"360704", Text{"赣县区", "Ganxian District"}}, {"360722", Text{"信丰县", "Xinfeng County"}},
	{"360723", Text{"大余县", "Dayu County"}}, {"360724", Text{"上犹县", "Shangyou County"}},
	{"360725", Text{"崇义县", "Chongyi County"}}, {"360726", Text{"安远县", "Anyuan County"}},
	{"360728", Text{"定南县", "Dingnan County"}}, {"360729", Text{"全南县", "Quannan County"}},
	{"360730", Text{"宁都县", "Ningdu County"}}, {"360731", Text{"于都县", "Yudu County"}},
	{"360732", Text{"兴国县", "Xingguo County"}}, {"360733", Text{"会昌县", "Huichang County"}},
	{"360734", Text{"寻乌县", "Xunwu County"}}, {"360735", Text{"石城县", "Shicheng County"}},
	{"360781", Text{"瑞金市", "Ruijin"}}, {"360783", Text{"龙南市", "Longnan"}},
	// 吉安市
	{"360802", Text{"吉州区", "Jizhou District"}}, {"360803", Text{"青原区", "Qingyuan District"}},
	{"360821", Text{"吉安县", "Ji'an County"}}, {"360822", Text{"吉水县", "Jishui County"}},
	{"360823", Text{"峡江县", "Xiajiang County"}}, {"360824", Text{"新干县", "Xingan County"}},
	{"360825", Text{"永丰县", "Yongfeng County"}}, {"360826", Text{"泰和县", "Taihe County"}},
	{"360827", Text{"遂川县", "Suichuan County"}}, {"360828", Text{"万安县", "Wan'an County"}},
	{"360829", Text{"安福县", "Anfu County"}}, {"360830", Text{"永新县", "Yongxin County"}},
	{"360881", Text{"井冈山市", "Jinggangshan"}},
	// 宜春市
	{"360902", Text{"袁州区", "Yuanzhou District"}}, {"360921", Text{"奉新县", "Fengxin County"}},
	{"360922", Text{"万载县", "Wanzai County"}}, {"360923", Text{"上高县", "Shanggao County"}},
	{"360924", Text{"宜丰县", "Yifeng County"}}, {"360925", Text{"靖安县", "Jing'an County"}},
	{"360926", Text{"铜鼓县", "Tonggu County"}}, {"360981", Text{"丰城市", "Fengcheng"}},
	{"360982", Text{"樟树市", "Zhangshu"}}, {"360983", Text{"高安市", "Gao'an"}},
	// 抚州市
	{"361002", Text{"临川区", "Linchuan District"}}, {"361003", Text{"东乡区", "Dongxiang District"}},
	{"361021", Text{"南城县", "Nancheng County"}}, {"361022", Text{"黎川县", "Lichuan County"}},
	{"361023", Text{"南丰县", "Nanfeng County"}}, {"361024", Text{"崇仁县", "Chongren County"}},
	{"361025", Text{"乐安县", "Le'an County"}}, {"361026", Text{"宜黄县", "Yihuang County"}},
	{"361027", Text{"金溪县", "Jinxi County"}}, {"361028", Text{"资溪县", "Zixi County"}},
	{"361030", Text{"广昌县", "Guangchang County"}},
	// 上饶市
	{"361102", Text{"信州区", "Xinzhou District"}}, {"361103", Text{"广丰区", "Guangfeng District"}},
	{"361104", Text{"广信区", "Guangxin District"}}, {"361123", Text{"玉山县", "Yushan County"}},
	{"361124", Text{"铅山县", "Yanshan County"}}, {"361125", Text{"横峰县", "Hengfeng County"}},
	{"361126", Text{"弋阳县", "Yiyang County"}}, {"361127", Text{"余干县", "Yugan County"}},
	{"361128", Text{"鄱阳县", "Poyang County"}}, {"361129", Text{"万年县", "Wannian County"}},
	{"361130", Text{"婺源县", "Wuyuan County"}}, {"361181", Text{"德兴市", "Dexing"}},
}

// formerCodes are retired county codes of Jiangxi: the division that
// took the area over, and the retired division's own name.
var formerCodes = map[string]struct {
	successor string
	name      Text
}{
	"360105": {"360112", Text{"湾里区", "Wanli District"}},
	"360122": {"360112", Text{"新建县", "Xinjian County"}},
	"360421": {"360404", Text{"九江县", "Jiujiang County"}},
	"360427": {"360483", Text{"星子县", "Xingzi County"}},
	"360622": {"360603", Text{"余江县", "Yujiang County"}},
	"360721": {"360704", Text{"赣县", "Gan County"}},
	"360782": {"360703", Text{"南康市", "Nankang City"}},
	"361029": {"361003", Text{"东乡县", "Dongxiang County"}},
	"361121": {"361104", Text{"上饶县", "Shangrao County"}},
}

var regionIndex = func() map[string]Region {
	m := map[string]Region{province.Code: province}
	for _, r := range cities {
		m[r.Code] = r
	}
	for _, r := range counties {
		m[r.Code] = r
	}
	return m
}()

// Province is Jiangxi Province.
func Province() Region { return province }

// Cities are Jiangxi's eleven prefecture-level cities in code order.
func Cities() []Region { return append([]Region(nil), cities...) }

// Counties are the county-level divisions of a city ("3607"), in code
// order; of the whole province when city is "" or "36".
func Counties(city string) []Region {
	var out []Region
	for _, r := range counties {
		if city == "" || city == ProvinceCode || strings.HasPrefix(r.Code, city) {
			out = append(out, r)
		}
	}
	return out
}

// RegionOf returns a listed division by its code.
func RegionOf(code string) (Region, bool) {
	r, ok := regionIndex[code]
	return r, ok
}

// RegionPath is the province, the city and the county of a code, as far as
// the code goes and they are listed.
func RegionPath(code string) []Region {
	var out []Region
	for _, n := range []int{2, 4, 6} {
		if len(code) < n {
			break
		}
		if r, ok := regionIndex[code[:n]]; ok {
			out = append(out, r)
		}
	}
	return out
}

// RegionNameOf names a code in lang ("en" or Chinese): a county with its
// city ("赣州市章贡区", "Zhanggong District, Ganzhou"), a city, the province.
// An unlisted county is named by its city and its code; an unknown code
// is itself.
func RegionNameOf(code, lang string) string {
	pick := func(t Text) string {
		if lang == "en" {
			return t.EN
		}
		return t.ZH
	}
	if r, ok := regionIndex[code]; ok {
		if len(code) == 6 {
			if c, ok := regionIndex[code[:4]]; ok {
				if lang == "en" {
					return r.Name.EN + ", " + c.Name.EN
				}
				return c.Name.ZH + r.Name.ZH
			}
		}
		return pick(r.Name)
	}
	if f, ok := formerCodes[code]; ok {
		if lang == "en" {
			return RegionNameOf(f.successor, lang) + " (formerly " + f.name.EN + ")"
		}
		return RegionNameOf(f.successor, lang) + "（原" + f.name.ZH + "）"
	}
	if len(code) == 6 {
		if c, ok := regionIndex[code[:4]]; ok {
			if lang == "en" {
				return c.Name.EN + " (" + code + ")"
			}
			return c.Name.ZH + "（" + code + "）"
		}
	}
	return code
}

// regionCodes lists every listed code, sorted (tests).
func regionCodes() []string {
	out := make([]string, 0, len(regionIndex))
	for c := range regionIndex {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}
