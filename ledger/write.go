package ledger

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

// ErrorColumn is the header of the column the rejected-rows file adds.
const ErrorColumn = "错误原因"

// rejectWriter streams rejected rows into an xlsx file: the file's own
// header and cells, so the user fixes them there and imports that file.
type rejectWriter struct {
	f    *excelize.File
	sw   *excelize.StreamWriter
	next int // the next row number
	errs int // the error column's index
}

func newRejectWriter(spec *Spec, header []string) (*rejectWriter, error) {
	f := excelize.NewFile()
	name := spec.Zh + "（未导入）"
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	// The original header, without a stale error column of an earlier round.
	var cols []string
	for _, h := range header {
		if NormalizeHeader(h) != NormalizeHeader(ErrorColumn) {
			cols = append(cols, h)
		} else {
			cols = append(cols, "")
		}
	}
	w := &rejectWriter{f: f, sw: sw, next: 2, errs: len(cols)}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	red, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "C00000"}})
	sw.SetColWidth(1, len(cols), 16)
	sw.SetColWidth(len(cols)+1, len(cols)+1, 60)
	row := make([]any, len(cols)+1)
	for i, h := range cols {
		row[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	row[len(cols)] = excelize.Cell{StyleID: red, Value: ErrorColumn}
	if err := sw.SetRow("A1", row); err != nil {
		return nil, err
	}
	return w, nil
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
	cell, _ := excelize.CoordinatesToCellName(1, w.next)
	w.sw.SetRow(cell, row)
	w.next++
}

func (w *rejectWriter) write(out io.Writer) error {
	if err := w.sw.Flush(); err != nil {
		return err
	}
	return w.f.Write(out)
}

func (w *rejectWriter) close() { w.f.Close() }

// WriteTemplate writes the import template of a sheet kind: the headers
// (required ones marked), an example row of synthetic data and a notes
// sheet explaining every column and its values. Every cell is text, so
// that ID numbers keep their digits.
func WriteTemplate(out io.Writer, kind Kind) error {
	spec := SpecOf(kind)
	if spec == nil {
		return fmt.Errorf("unknown ledger kind %q", kind)
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", spec.Zh); err != nil {
		return err
	}
	text, _ := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	head, _ := f.NewStyle(&excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	req, _ := f.NewStyle(&excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true, Color: "C00000"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	var cols []Column
	for _, c := range spec.Columns {
		if !c.ExportOnly {
			cols = append(cols, c)
		}
	}
	example := exampleRow(kind)
	last, _ := excelize.ColumnNumberToName(len(cols))
	if err := f.SetColStyle(spec.Zh, "A:"+last, text); err != nil {
		return err
	}
	f.SetColWidth(spec.Zh, "A", last, 16)
	for i, c := range cols {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellStr(spec.Zh, cell, c.Zh)
		st := head
		if c.Required {
			st = req
		}
		f.SetCellStyle(spec.Zh, cell, cell, st)
		if v, ok := example[c.Key]; ok {
			cell, _ = excelize.CoordinatesToCellName(i+1, 2)
			f.SetCellStr(spec.Zh, cell, v)
		}
	}
	f.SetPanes(spec.Zh, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})

	const notes = "填表说明"
	if _, err := f.NewSheet(notes); err != nil {
		return err
	}
	f.SetColWidth(notes, "A", "A", 22)
	f.SetColWidth(notes, "B", "B", 10)
	f.SetColWidth(notes, "C", "C", 90)
	f.SetSheetRow(notes, "A1", &[]any{"列名", "必填", "说明"})
	f.SetCellStyle(notes, "A1", "C1", head)
	r := 2
	for _, c := range cols {
		must := ""
		if c.Required {
			must = "是"
		}
		note := c.Note
		if len(c.Variants) > 0 {
			note = strings.TrimSpace(note + " 也可写作：" + strings.Join(c.Variants, "、") + "。")
		}
		cell, _ := excelize.CoordinatesToCellName(1, r)
		f.SetSheetRow(notes, cell, &[]any{c.Zh, must, note})
		r++
	}
	for _, line := range []string{
		"",
		"第 2 行是示例（虚构数据），导入前请删除或改写。列的顺序可以调整，多余的列会被忽略。",
		"空单元格不会清除已登记的内容；同一文件重复导入不会产生任何变化。",
		"导入前会先试运行：逐行显示新增、更新、无变化和有错误的行；有错误的行可下载修改后重新导入。",
	} {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		f.SetCellStr(notes, cell, line)
		r++
	}
	return f.Write(out)
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
