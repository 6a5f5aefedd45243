package ident_test

import (
	"fmt"
	"time"

	"github.com/wangge/wangge/ident"
)

func ExampleParseID() {
	id, err := ident.ParseID("１１０１０５１９４９１２３１００２ｘ")
	if err != nil {
		panic(err)
	}
	fmt.Println(id, id.Region(), id.BirthDate().Format(time.DateOnly), id.Sex().Zh())

	_, err = ident.ParseID("110105194912310025")
	e := err.(*ident.Error)
	fmt.Println(e.Reason)
	fmt.Println(e.Zh())
	fmt.Println(e.En())
	// Output:
	// 11010519491231002X 110105 1949-12-31 女
	// check_digit
	// 身份证号码校验位错误：应为 X，实为 5
	// ID number check digit is wrong: expected X, got 5
}

func ExampleMakeID() {
	fmt.Println(ident.MakeID("440524", time.Date(1880, 1, 1, 0, 0, 0, 0, time.UTC), 0, ident.SexMale))
	// Output: 440524188001010014
}

func ExampleParseCreditCode() {
	c, err := ident.ParseCreditCode("91350100m000100y43")
	fmt.Println(c, err)
	_, err = ident.ParseCreditCode("91350100I000100Y43")
	fmt.Println(err)
	// Output:
	// 91350100M000100Y43 <nil>
	// unified social credit code character 9 ('I') is invalid: the letters I, O, S, V and Z are not used
}

func ExampleParsePhone() {
	for _, s := range []string{"+86 138-1234-5678", "(0355) 2021234", "2021234"} {
		p, err := ident.ParsePhone(s)
		fmt.Printf("%q %v %v\n", p, p.IsMobile(), err)
	}
	// Output:
	// "13812345678" true <nil>
	// "0355-2021234" false <nil>
	// "" false phone number must start with 1 (mobile) or 0 (area code); landlines need their area code
}

func ExampleMaskID() {
	fmt.Println(ident.MaskID("14040219900101123X"))
	fmt.Println(ident.MaskPhone("13812345678"), ident.MaskPhone("0355-2021234"))
	fmt.Println(ident.MaskName("张明"), ident.MaskName("张三明"), ident.MaskName("欧阳小锋"))
	// Output:
	// 1404**********123X
	// 138****5678 0355-***1234
	// 张* 张*明 欧**锋
}
