package ident

import "testing"

func TestMaskID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"14040219900101123X", "1404**********123X"},
		{" 14040219900101123x ", "1404**********123X"},
		{"１４０４０２１９９００１０１１２３Ｘ", "1404**********123X"},
		{"140402 19900101 123X", "1404**********123X"},
		{"110105491231002", "1101**********002X"},
		{"140402900101123", "1404**********1235"}, // 15-digit: masked in its 18-digit form
		{"1404021990010112", "1404********0112"},
		{"12345", "***45"},
		{"12", "**"},
		{"1", "*"},
		{"", ""},
		{"张三丰", "*三丰"},
		{"\xff\xfe", "**"},
	}
	for _, tt := range tests {
		if got := MaskID(tt.in); got != tt.want {
			t.Errorf("MaskID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13812345678", "138****5678"},
		{"+86 138-1234-5678", "138****5678"},
		{"0355-2021234", "0355-***1234"},
		{"03552021234", "0355-***1234"},
		{"010-12345678", "010-****5678"},
		{"0571 87654321", "0571-****4321"},
		{"12345", "***45"},
		{"1381234567", "********67"},
		{"1", "*"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := MaskPhone(tt.in); got != tt.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"张", "*"},
		{"张明", "张*"},
		{"张三明", "张*明"},
		{"欧阳小锋", "欧**锋"},
		{"\u3000张明 ", "张*"},
		{"阿卜杜拉·买买提", "阿******提"},
		{"Li", "L*"},
		{"John Smith", "J********h"},
	}
	for _, tt := range tests {
		if got := MaskName(tt.in); got != tt.want {
			t.Errorf("MaskName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
