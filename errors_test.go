package kedaitong_test

import (
	"errors"
	"fmt"
	"testing"

	"kedaitong"
)

func TestZHfSetsChineseAndChains(t *testing.T) {
	e := kedaitong.Invalid("credit_code", "must be %d characters", 18).ZHf("统一社会信用代码应为 %d 位", 18)
	if e.ZH != "统一社会信用代码应为 18 位" {
		t.Fatalf("ZH = %q", e.ZH)
	}
	if e.Message != "must be 18 characters" || e.Code != kedaitong.EInvalid || e.Field != "credit_code" {
		t.Fatalf("ZHf changed the rest of the error: %+v", e)
	}
}

func TestMessageIn(t *testing.T) {
	withZH := kedaitong.Invalid("name", "is required").ZHf("请填写名称")
	noZH := kedaitong.Errorf(kedaitong.EConflict, "stale version")
	wrapped := fmt.Errorf("saving: %w", withZH)
	internal := kedaitong.Errorf(kedaitong.EInternal, "db exploded").ZHf("数据库坏了")
	tests := []struct {
		name string
		err  error
		lang string
		want string
	}{
		{"zh-CN gets Chinese without field prefix", withZH, "zh-CN", "请填写名称"},
		{"zh tag variants", withZH, "zh", "请填写名称"},
		{"zh-Hans", withZH, "zh-Hans", "请填写名称"},
		{"English keeps ErrorMessage", withZH, "en", "name: is required"},
		{"empty lang is English", withZH, "", "name: is required"},
		{"wrapped error found in chain", wrapped, "zh-CN", "请填写名称"},
		{"no Chinese falls back to English", noZH, "zh-CN", "stale version"},
		{"internal is generic in Chinese", internal, "zh-CN", "系统内部出错，请稍后再试。"},
		{"internal is generic in English", internal, "en", "An internal error occurred."},
		{"uncoded error is internal", errors.New("boom"), "zh-CN", "系统内部出错，请稍后再试。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := kedaitong.MessageIn(tt.err, tt.lang); got != tt.want {
				t.Errorf("MessageIn(%v, %q) = %q, want %q", tt.err, tt.lang, got, tt.want)
			}
		})
	}
	// The code and the English message never depend on the language.
	if kedaitong.ErrorCode(wrapped) != kedaitong.EInvalid || kedaitong.ErrorMessage(wrapped) != "name: is required" {
		t.Errorf("ErrorCode/ErrorMessage changed: %q %q", kedaitong.ErrorCode(wrapped), kedaitong.ErrorMessage(wrapped))
	}
}

func ExampleMessageIn() {
	err := kedaitong.Invalid("amount", "must be positive").ZHf("贷款金额必须大于零")
	fmt.Println(kedaitong.MessageIn(err, "zh-CN"))
	fmt.Println(kedaitong.MessageIn(err, "en"))
	// Output:
	// 贷款金额必须大于零
	// amount: must be positive
}
