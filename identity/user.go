// Package identity holds the platform's accounts, their passwords, log-in
// sessions and personal API tokens, and the rules on who may manage whom.
// What a role may do is package rbac's; identity says who the caller is.
package identity

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"kedaitong"
)

// Roles of the public contract.
const (
	RoleAdmin       = "admin"
	RoleBankOfficer = "bank_officer"
	RoleBankManager = "bank_manager"
	RoleExpert      = "expert"
	RoleOfficial    = "official"
	RoleAnalyst     = "analyst"
	RoleInvestor    = "investor" // an investment institution (its Org)
)

// Roles lists every role.
var Roles = []string{RoleAdmin, RoleBankOfficer, RoleBankManager, RoleExpert, RoleOfficial, RoleAnalyst, RoleInvestor}

// IsBankRole reports whether the role belongs to a bank.
func IsBankRole(role string) bool { return role == RoleBankOfficer || role == RoleBankManager }

// User is an account. The password hash never leaves the package's JSON
// for the API (see Public).
type User struct {
	ID           string    `json:"id"`
	Username     string    `json:"username"`
	UsernameKey  string    `json:"username_key"` // case-folded, unique
	Role         string    `json:"role"`
	BankID       string    `json:"bank_id,omitempty"`
	Region       string    `json:"region,omitempty"`
	ExpertID     string    `json:"expert_id,omitempty"`
	Org          string    `json:"org,omitempty"` // an investor's investment institution
	Disabled     bool      `json:"disabled"`
	PasswordHash string    `json:"password_hash"`
	CreatedAt    time.Time `json:"created_at"`
	CreatedBy    string    `json:"created_by,omitempty"`
	UpdatedAt    time.Time `json:"updated_at"`
	// SessionEpoch grows when the password changes or the account is
	// disabled: sessions and tokens from an older epoch stop working.
	SessionEpoch int64 `json:"session_epoch"`
	// Scope is the bank id, or "*" for users outside banks: the field the
	// user list is filtered by.
	Scope string `json:"scope"`
}

// PublicUser is a user as the API shows it.
type PublicUser struct {
	ID        string    `json:"id"`
	Username  string    `json:"username"`
	Role      string    `json:"role"`
	BankID    string    `json:"bank_id"`
	Region    string    `json:"region"`
	ExpertID  string    `json:"expert_id"`
	Org       string    `json:"org,omitempty"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

// Public returns what the API may show of the user.
func (u User) Public() PublicUser {
	return PublicUser{ID: u.ID, Username: u.Username, Role: u.Role, BankID: u.BankID, Region: u.Region,
		ExpertID: u.ExpertID, Org: u.Org, Disabled: u.Disabled, CreatedAt: u.CreatedAt}
}

// Domain is the user's Casbin domain: the bank, or "*" for everyone else.
func (u User) Domain() string {
	if u.BankID != "" {
		return "bank:" + u.BankID
	}
	return "*"
}

// NewUser is the input to create a user.
type NewUser struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Role     string `json:"role"`
	BankID   string `json:"bank_id,omitempty"`
	Region   string `json:"region,omitempty"`
	ExpertID string `json:"expert_id,omitempty"`
	Org      string `json:"org,omitempty"` // an investor's investment institution
}

var (
	usernameRE = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}._@-]{1,63}$`)
	idRE       = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
)

// Validate checks the new user's fields (not the password's strength, which
// CheckPassword does).
func (n *NewUser) Validate() error {
	n.Username = strings.TrimSpace(n.Username)
	if !usernameRE.MatchString(n.Username) {
		return kedaitong.Invalid("username", "use 2 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit").ZHf("用户名应为 2 到 64 个字母、数字或“.”、“_”、“@”、“-”，并以字母或数字开头")
	}
	if !validRole(n.Role) {
		return kedaitong.Invalid("role", "unknown role %q; roles are %s", n.Role, strings.Join(Roles, ", ")).ZHf("未知角色 %q；可选角色：%s", n.Role, strings.Join(Roles, ", "))
	}
	switch {
	case IsBankRole(n.Role):
		if n.BankID == "" {
			return kedaitong.Invalid("bank_id", "a %s must belong to a bank", n.Role).ZHf("%s 必须隶属于一家银行", n.Role)
		}
		if !idRE.MatchString(n.BankID) {
			return kedaitong.Invalid("bank_id", "use letters, digits, '.', '_' or '-' (at most 64)").ZHf("银行代码只能使用字母、数字、“.”、“_”或“-”（最多 64 个）")
		}
	case n.BankID != "":
		return kedaitong.Invalid("bank_id", "only bank roles belong to a bank").ZHf("只有银行角色隶属于银行")
	}
	switch {
	case n.Role == RoleOfficial:
		if !ValidRegion(n.Region) {
			return kedaitong.Invalid("region", "an official needs a Jiangxi GB/T 2260 region code: 36, a city such as 3607, or a county such as 360702").ZHf("政府用户需要江西省的 GB/T 2260 行政区划代码：36（全省）、地市（如 3607）或区县（如 360702）")
		}
	case n.Region != "":
		if !ValidRegion(n.Region) {
			return kedaitong.Invalid("region", "%q is not a Jiangxi GB/T 2260 region code", n.Region).ZHf("%q 不是江西省的 GB/T 2260 行政区划代码", n.Region)
		}
	}
	switch {
	case n.Role == RoleExpert:
		if !idRE.MatchString(n.ExpertID) {
			return kedaitong.Invalid("expert_id", "an expert account must name its expert profile").ZHf("评审专家账户必须关联其专家档案")
		}
	case n.ExpertID != "":
		return kedaitong.Invalid("expert_id", "only expert accounts link to an expert profile").ZHf("只有评审专家账户才能关联专家档案")
	}
	n.Org = strings.TrimSpace(n.Org)
	switch {
	case n.Role == RoleInvestor:
		if n.Org == "" || runeLen(n.Org) > 100 {
			return kedaitong.Invalid("org", "an investor account must name its investment institution (at most 100 characters)").ZHf("投资机构账户必须填写其投资机构名称（最多 100 个字符）")
		}
	case n.Org != "":
		return kedaitong.Invalid("org", "only investor accounts belong to an investment institution").ZHf("只有投资机构账户才隶属于投资机构")
	}
	return nil
}

func validRole(r string) bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

var regionRE = regexp.MustCompile(`^36(\d\d(\d\d)?)?$`)

// ValidRegion reports whether code is a Jiangxi GB/T 2260 code: "36" the
// province, "36cc" one of its eleven cities (01–11), "36ccdd" a county.
func ValidRegion(code string) bool {
	if !regionRE.MatchString(code) {
		return false
	}
	if len(code) >= 4 {
		city := code[2:4]
		if city < "01" || city > "11" {
			return false
		}
	}
	if len(code) == 6 && code[4:6] == "00" {
		return false
	}
	return true
}

// RegionCovers reports whether an official of region scope may see an
// object in region obj: the province covers everything in 36, a city its
// counties, a county itself.
func RegionCovers(scope, obj string) bool {
	return scope != "" && strings.HasPrefix(obj, scope)
}

// MaySee is the platform's rule for objects that belong to a bank and lie
// in a region (loan applications, reports, re-reviews, consultations): an
// admin sees them all, a bank's users those of their own bank, an official
// those in a region its own covers. Other roles see none by this rule
// (experts get access through their assignments, checked where they are).
func MaySee(actor User, bankID, region string) bool {
	switch {
	case actor.Role == RoleAdmin:
		return true
	case IsBankRole(actor.Role):
		return actor.BankID != "" && actor.BankID == bankID
	case actor.Role == RoleOfficial:
		return RegionCovers(actor.Region, region)
	}
	return false
}

// usernameKey folds a username for uniqueness.
func usernameKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// runeLen counts characters, not bytes.
func runeLen(s string) int { return utf8.RuneCountInString(s) }
