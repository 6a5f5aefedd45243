package ledger

import (
	"fmt"
	"strings"
)

// ColumnsMarkdown renders the column specs as the Markdown of
// docs/ledger-columns.md (a test keeps the file in step with the specs).
func ColumnsMarkdown() string {
	var b strings.Builder
	b.WriteString(docIntro)
	for _, s := range []*Spec{&Persons, &Units, &Memberships} {
		fmt.Fprintf(&b, "\n## %s — %s (`%s`)\n\n", s.Zh, s.En, s.Kind)
		b.WriteString("| 表头 header | English | key | 必填 required | 也接受 also accepted | 说明 notes |\n")
		b.WriteString("| --- | --- | --- | --- | --- | --- |\n")
		for _, c := range s.Columns {
			req := ""
			switch {
			case c.Required:
				req = "是"
			case c.ExportOnly:
				req = "仅导出 export only"
			}
			fmt.Fprintf(&b, "| %s | %s | `%s` | %s | %s | %s |\n", c.Zh, c.En, c.Key, req,
				strings.Join(c.Variants, "、"), strings.ReplaceAll(c.Note, "|", "\\|"))
		}
	}
	b.WriteString("\n## 取值 Cell values\n\n")
	for _, v := range []struct {
		name string
		vm   ValueMap
	}{{"户类型、人员类型 household and person kind", ResidenceKinds}, {"与户主关系 relation", Relations},
		{"是否党员及是/否属性 yes/no", YesNo}, {"就业状态 employment", Employments},
		{"单位类型 unit kind", UnitKinds}, {"重点群体 key group", Groups}} {
		fmt.Fprintf(&b, "### %s\n\n| 写出 written | 值 value | 也接受 also accepted |\n| --- | --- | --- |\n", v.name)
		for _, x := range v.vm {
			fmt.Fprintf(&b, "| %s | `%s` | %s |\n", x.Zh, x.Domain, strings.Join(x.Variants, "、"))
		}
		b.WriteString("\n")
	}
	b.WriteString(docRules)
	return b.String()
}

const docIntro = `# 台账列 Ledger columns

<!-- Generated from ledger/columns.go by ` + "`go test ./ledger -run TestColumnsDoc -update`" + `; do not edit by hand. -->

The import and the export of the ledgers share one definition of their columns,
` + "`ledger/columns.go`" + `: an exported ledger file is itself a valid import file.
Templates (` + "`wangge import template persons|units|keygroups OUT.xlsx`" + `, or the
download links on the import page) carry the Chinese headers below, an example row and a
notes sheet. The key groups' sheet is ` + "`keygroups`" + ` on the command line
(` + "`memberships`" + ` is its older name).

Exports (` + "`wangge export residents|units|keygroups`" + `, and the ledger pages' export
buttons, which ask for a reason) write these columns, then the derived ones. An xlsx
export's 说明 sheet, and a CSV export's first line (` + "`# 导出人 …；导出时间 …；…；共 N 行；导出原因 …`" + `,
before the header), say who exported the file, when (Beijing time), why and how many
rows it holds; the importer skips that line. ID numbers and phones are in full; the key
groups' secret attributes are masked, which the importer reads as empty, so they never
overwrite what is stored.

Headers are matched tolerantly: spaces, full-width characters, the kind of bracket,
a trailing ` + "`*`" + ` or ` + "`：`" + ` and a parenthesised remark (` + "`公民身份号码（18位）`" + `) do not
matter, and the English header and the variants listed are accepted. Columns the
importer does not know are ignored (the report names them); columns marked
"export only" are derived and ignored on import. The order of columns is free.
`

const docRules = `## 导入规则 Import rules

- **Persons.** One row per person. The building is named by its 20-digit code
  (楼院编码 = 15-digit grid code + 5-digit sequence) or by 网格编码 + 楼院名称; it must
  exist and lie in the importing user's scope. Rows with the same building, 单元 and
  房号 are one household; a 户号 tells apart two households in one room. A person is
  matched by the ID number (through the blind index): a known person is updated, an
  unknown one added.
- **A household's rows agree.** Later rows of a household may repeat its 户类型 and
  户联系电话 or leave them empty; a different value is rejected, naming the first row (else
  a re-import would flip the household back and forth).
- **A person in another household.** When the ID number is held by someone in another
  household within the user's scope, the row is a move: reported as "updated" with a note
  (已迁入本户), and the move is kept in the person's history and audited like any move.
  When the holder lies outside the user's scope the row is rejected (the ID number is
  already registered elsewhere; ask that community to move the person); the message does
  not say where.
- **Units.** A unit with a credit code is matched by the code, one without by grid and
  name.
- **Memberships.** The person must already be registered (matched by ID number, within
  scope); when 姓名 is given it must match. A membership is matched by person, group and
  纳入日期, or, when 纳入日期 is empty, by the person's current membership of the group; a
  row whose 纳入日期 differs from the current membership's is rejected. A new membership
  needs the group's required attributes; a value in another group's attribute column is
  rejected, not dropped. The user must be allowed to see the group (sensitive groups need
  the right).
- **Empty cells never wipe a stored value.** To clear a value, edit the record. Masked
  phones (` + "`138****5678`" + `) and certificate numbers count as empty; a masked ID number is
  rejected, and so is one a spreadsheet turned into a number (1.40101E+17).
- **Duplicates in the file.** The second and later rows with the same ID number (persons),
  the same credit code or grid and name (units), or the same person, group and 纳入日期
  (memberships) are rejected, naming the first row; the first row counts.
- **Outcome per row:** added, updated, unchanged or rejected. Re-importing the same
  file yields only "unchanged" and writes nothing: no version changes, no audit entries.
- **All or nothing.** An import runs in one transaction: a commit applies every valid
  row or, on any failure or interruption (even a killed process), nothing. The command
  line writes nothing at all while any row is rejected, unless --skip-rejected. A dry
  run reads a snapshot and writes nothing, keeping what the rows would create in memory;
  on SQLite it does not take the write lock, but a commit holds it until it is done.
- **Audit.** One entry per committed import (` + "`import.persons`" + `, ` + "`import.units`" + `,
  ` + "`import.memberships`" + `) with the file name and the counts, plus one entry per moved
  person (as every move is audited). Per-row entries for added and updated rows are
  not written: a million-row import would write a million entries, and the import entry
  with the file (kept by the user) says what came in.
- **Rejected rows** come back as an xlsx with the original columns and a 错误原因 column;
  fix them there and import that file.
`
