package identity

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"

	"kedaitong"
)

// Argon2id parameters: OWASP's minimum (19 MiB, 2 passes, 1 lane).
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16

	// MinPasswordLen and MaxPasswordLen count characters of any script.
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

//go:generate go run ./internal/pwgen -out common-passwords.txt.gz

// commonPasswordsGz is the list of common passwords, one a line, lower
// case: about 130,000 entries (see internal/pwgen for their provenance).
//
//go:embed common-passwords.txt.gz
var commonPasswordsGz []byte

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	zr, err := gzip.NewReader(bytes.NewReader(commonPasswordsGz))
	if err != nil {
		panic("identity: the embedded password list is damaged: " + err.Error())
	}
	m := make(map[string]struct{}, 140000)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if w := sc.Text(); w != "" && !strings.HasPrefix(w, "# ") {
			m[w] = struct{}{}
		}
	}
	if err := sc.Err(); err != nil {
		panic("identity: the embedded password list is damaged: " + err.Error())
	}
	return m
})

// CommonPasswords returns how many passwords the embedded list holds.
func CommonPasswords() int { return len(commonPasswords()) }

// CheckPassword refuses passwords that are too short or too long, that
// contain the username, that are among the most common passwords, or that
// are one character repeated or a plain run of the keyboard or digits.
func CheckPassword(password, username string) error {
	n := runeLen(password)
	if n < MinPasswordLen {
		return kedaitong.Invalid("password", "use at least %d characters", MinPasswordLen).ZHf("密码至少需要 %d 个字符", MinPasswordLen)
	}
	if n > MaxPasswordLen {
		return kedaitong.Invalid("password", "use at most %d characters", MaxPasswordLen).ZHf("密码最多 %d 个字符", MaxPasswordLen)
	}
	lower := strings.ToLower(password)
	if u := usernameKey(username); len(u) >= 3 && strings.Contains(lower, u) {
		return kedaitong.Invalid("password", "must not contain the username").ZHf("密码不能包含用户名")
	}
	if IsCommonPassword(password) {
		return kedaitong.Invalid("password", "is one of the most common passwords; choose another").ZHf("这是最常见的密码之一，请另选一个")
	}
	if distinctRunes(password) < 4 {
		return kedaitong.Invalid("password", "uses too few different characters").ZHf("密码使用的不同字符太少")
	}
	for _, run := range []string{"0123456789012345678901234567890", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnmqwertyuiop", "9876543210987654321098765432109"} {
		if strings.Contains(run, lower) {
			return kedaitong.Invalid("password", "is a plain run of keys; choose another").ZHf("密码是连续按键，请另选一个")
		}
	}
	return nil
}

func distinctRunes(s string) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("identity: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches the PHC hash, in time
// independent of where they differ.
func VerifyPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<20 || t == 0 || t > 10 || p == 0 {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 128 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when the user does not exist, so that an
// unknown user costs the same time as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("not-a-real-password-for-timing")
	return h
})

// RandomPassword returns a strong random password (for the first admin).
func RandomPassword() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
