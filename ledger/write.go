package ledger

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

// ErrorColumn is the header of the column the rejected-rows file adds.
const ErrorColumn = "错误原因"

// rejectWriter streams rejected rows into an xlsx file: the file's own
// header and cells, so the user fixes them there and imports that file.
type rejectWriter struct {
	wb   *Workbook
	sh   *Sheet
	errs int // the error column's index
}

func newRejectWriter(spec *Spec, header []string) (*rejectWriter, error) {
	// The original header, without a stale error column of an earlier round.
	var cols []string
	for _, h := range header {
		if NormalizeHeader(h) != NormalizeHeader(ErrorColumn) {
			cols = append(cols, h)
		} else {
			cols = append(cols, "")
		}
	}
	wb := NewWorkbook()
	sh, err := wb.Sheet(spec.Zh+"（未导入）", append(cols, ErrorColumn), SheetOptions{ErrorColumn: true})
	if err != nil {
		wb.Close()
		return nil, err
	}
	return &rejectWriter{wb: wb, sh: sh, errs: len(cols)}, nil
}

// add writes one rejected row.
func (w *rejectWriter) add(cells []string, errs []Message) {
	row := make([]any, w.errs+1)
	for i := 0; i < w.errs && i < len(cells); i++ {
		row[i] = cells[i]
	}
	text := make([]string, len(errs))
	for i, m := range errs {
		text[i] = m.String()
	}
	row[w.errs] = strings.Join(text, "；")
	w.sh.Row(row...)
}

func (w *rejectWriter) write(out io.Writer) error {
	_, err := w.wb.WriteTo(out)
	return err
}

func (w *rejectWriter) close() { w.wb.Close() }

// WriteTemplate writes the import template of a sheet kind: the headers
// (required ones marked), an example row of synthetic data and a notes
// sheet explaining every column and its values. Every cell is text, so
// that ID numbers keep their digits.
func WriteTemplate(out io.Writer, kind Kind) error {
	spec := SpecOf(kind)
	if spec == nil {
		return fmt.Errorf("unknown ledger kind %q", kind)
	}
	wb := NewWorkbook()
	defer wb.Close()
	var cols []Column
	for _, c := range spec.Columns {
		if !c.ExportOnly {
			cols = append(cols, c)
		}
	}
	header := make([]string, len(cols))
	required := map[int]bool{}
	for i, c := range cols {
		header[i] = c.Zh
		required[i] = c.Required
	}
	sh, err := wb.Sheet(spec.Zh, header, SheetOptions{Header: true, Text: true, Required: required})
	if err != nil {
		return err
	}
	example := exampleRow(kind)
	row := make([]any, len(cols))
	for i, c := range cols {
		if v, ok := example[c.Key]; ok {
			row[i] = v
		}
	}
	if err := sh.Row(row...); err != nil {
		return err
	}

	notes, err := wb.Sheet("填表说明", []string{"列名", "必填", "说明"}, SheetOptions{Header: true, Widths: []float64{22, 10, 90}})
	if err != nil {
		return err
	}
	for _, c := range cols {
		must := ""
		if c.Required {
			must = "是"
		}
		note := c.Note
		if len(c.Variants) > 0 {
			note = strings.TrimSpace(note + " 也可写作：" + strings.Join(c.Variants, "、") + "。")
		}
		if err := notes.Row(c.Zh, must, note); err != nil {
			return err
		}
	}
	for _, line := range []string{
		"",
		"第 2 行是示例（虚构数据），导入前请删除或改写。列的顺序可以调整，多余的列会被忽略。",
		"空单元格不会清除已登记的内容；同一文件重复导入不会产生任何变化。",
		"导入前会先试运行：逐行显示新增、更新、无变化和有错误的行；有错误的行可下载修改后重新导入。",
	} {
		if err := notes.Row(line); err != nil {
			return err
		}
	}
	_, err = wb.WriteTo(out)
	return err
}

// exampleRow is the template's example row: synthetic, with a birthplace
// code (1499xx) that belongs to no real county.
func exampleRow(kind Kind) map[string]string {
	id := string(ident.MakeID("149901", time.Date(1985, 6, 15, 0, 0, 0, 0, time.UTC), 12, ident.SexFemale))
	switch kind {
	case KindPersons:
		return map[string]string{ColBuildingCode: "14040200100100100001", ColEntrance: "1", ColRoom: "301", ColHouseNumber: "",
			ColHouseKind: "户籍", ColHousePhone: "13800000000", ColName: "王某某", ColIDNumber: id, ColRelation: "户主",
			ColPersonKind: "户籍", ColEthnicity: "汉族", ColParty: "否", ColEmployment: "在业", ColPhone: "13900000000"}
	case KindUnits:
		return map[string]string{ColUnitName: "某某商贸有限公司", ColCreditCode: string(ident.MakeCreditCode("91149901MA0000000")),
			ColGridCode: "140402001001001", ColUnitKind: "企业", ColHeadcount: "25", ColPartyOrg: "", ColPartyMembers: "2",
			ColAddress: "某某路 1 号", ColContactName: "李某", ColPhone: "13700000000"}
	}
	return map[string]string{ColIDNumber: id, ColName: "王某某", ColGroup: wangge.GroupDefOf(wangge.GroupElderly).Zh,
		ColJoined: "2024-01-01", AttrKey(wangge.GroupElderly, "living"): "独居", AttrKey(wangge.GroupElderly, "care"): "自理",
		AttrKey(wangge.GroupElderly, "allowance"): "是"}
}
