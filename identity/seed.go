package identity

import (
	"context"
	"fmt"
	"io"

	"kedaitong"
)

// DemoPassword is the password of every demo account (demo stores only).
const DemoPassword = "Kedai-demo-2026"

// DemoUsers are the demo log-ins: one per role, two banks, officials at
// province and city level.
var DemoUsers = []NewUser{
	{Username: "admin", Role: RoleAdmin},
	{Username: "gzbank.officer", Role: RoleBankOfficer, BankID: "ganzhou-bank"},
	{Username: "gzbank.manager", Role: RoleBankManager, BankID: "ganzhou-bank"},
	{Username: "ncbank.officer", Role: RoleBankOfficer, BankID: "nanchang-bank"},
	{Username: "expert.li", Role: RoleExpert, ExpertID: "exp-0001"},
	{Username: "official.jiangxi", Role: RoleOfficial, Region: "36"},
	{Username: "official.ganzhou", Role: RoleOfficial, Region: "3607"},
	{Username: "analyst.wu", Role: RoleAnalyst},
	{Username: "investor.demo", Role: RoleInvestor, Org: "赣江科创投资有限公司"},
}

// Seed prepares the accounts of an empty store: the demo log-ins (printed)
// when demo is set, else one admin with a random password printed once.
func (s *Service) Seed(ctx context.Context, demo bool, out io.Writer) error {
	if !demo {
		pw, err := s.EnsureAdmin(ctx)
		if err != nil {
			return err
		}
		if pw != "" {
			fmt.Fprintf(out, "\nCreated the first administrator. Log in as admin with this password (shown once):\n\n    %s\n\n", pw)
		}
		return nil
	}
	fmt.Fprintf(out, "\nDemo log-ins (password %s for every one):\n", DemoPassword)
	for _, n := range DemoUsers {
		n.Password = DemoPassword
		if _, err := s.CreateUser(ctx, nil, n); err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
			return fmt.Errorf("demo user %s: %w", n.Username, err)
		}
		scope := n.BankID + n.Region + n.Org
		if scope != "" {
			scope = " (" + scope + ")"
		}
		fmt.Fprintf(out, "    %-18s %s%s\n", n.Username, n.Role, scope)
	}
	fmt.Fprintln(out)
	return nil
}
