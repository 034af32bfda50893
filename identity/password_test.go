package identity_test

import (
	"testing"

	"kedaitong"
	"kedaitong/identity"
)

func TestCommonPasswordList(t *testing.T) {
	if n := identity.CommonPasswords(); n < 50000 {
		t.Fatalf("the embedded list holds %d passwords, want tens of thousands", n)
	}
}

func TestCommonPasswordsRefused(t *testing.T) {
	for _, pw := range []string{
		// Straight from the list, English and Chinese.
		"password123", "PASSWORD123", "1234567890", "qwertyuiop", "iloveyou123", "baseball123", "basketball",
		"woaini1314", "WoAiNi1314", "5201314520", "1314520520", "woaiwojia123", "wodemima123", "zhongguo123",
		"zhangwei123", "wangfang520", "liuyang1314", "xiaoming888", "jiangxi2024", "nanchang123", "qq123456789",
		"a123456789", "147258369a", "1472583690", "1234567890a",
		// Keyboard walks.
		"1qaz2wsx3edc", "1q2w3e4r5t", "qazwsxedcrfv", "zaq12wsxcde3", "!qaz@wsx#edc", "asdfghjkl;", "0987654321",
		// Number patterns.
		"1111111111", "1212121212", "520520520520", "123123123123", "9876543210", "1234512345",
		// Birthdays, dates and telephone numbers.
		"1990-01-01", "19900101abc", "zhangwei19900101", "19880808-19900214", "13812345678", "aini19900520",
		// Decorated and look-alike forms of list entries.
		"P@ssw0rd2026!", "p@$$w0rd12345", "Password!2025", "i love you 1314", "Dragon-2008", "monkey12345!",
	} {
		if !identity.IsCommonPassword(pw) {
			t.Errorf("%q passes as uncommon", pw)
			continue
		}
		if err := identity.CheckPassword(pw, "someone"); len([]rune(pw)) >= identity.MinPasswordLen && !kedaitong.Is(err, kedaitong.EInvalid) {
			t.Errorf("CheckPassword(%q) = %v, want refused", pw, err)
		}
	}
}

func TestUncommonPasswordsAccepted(t *testing.T) {
	for _, pw := range []string{
		identity.DemoPassword, "Gan-zhou river 2026", "Test-password 2026", "Another long pass 9", "Yet another pass 77",
		"Reset by the admin 55", "Officer-pass 2026", "correct horse battery staple", "赣江两岸的风很大2026", "Tu8#kq2!Lm9z",
		"baseball 71939204815", "红谷滩的早晨真是好看", "xiaoming-likes-ganzhou-oranges",
	} {
		if identity.IsCommonPassword(pw) {
			t.Errorf("%q is refused as common", pw)
		}
		if err := identity.CheckPassword(pw, "someone"); err != nil {
			t.Errorf("CheckPassword(%q) = %v, want accepted", pw, err)
		}
	}
}
