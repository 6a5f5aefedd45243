package ledger

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestTemporaryFilesLeaveNothingBehind: an export's temporary file has no
// name in the temporary folder while it is written and read, and the xlsx
// library's spill folders of wangge processes that died are removed by the
// next one, those of running processes kept.
func TestTemporaryFilesLeaveNothingBehind(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	f, err := TempFile()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("110105194912310021"); err != nil {
		t.Fatal(err)
	}
	if es, _ := os.ReadDir(tmp); len(es) != 0 {
		t.Fatalf("the temporary folder holds %v", es)
	}
	buf := make([]byte, 18)
	if _, err := f.ReadAt(buf, 0); err != nil || string(buf) != "110105194912310021" {
		t.Fatalf("read back %q, %v", buf, err)
	}

	dead := filepath.Join(tmp, spillPrefix+"999999999-abc")
	mine := filepath.Join(tmp, spillPrefix+strconv.Itoa(os.Getpid())+"-def")
	running := filepath.Join(tmp, spillPrefix+"1-ghi") // init runs
	other := filepath.Join(tmp, "excelize-123")
	for _, d := range []string{dead, mine, running, other} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	sweepSpills(tmp)
	for d, want := range map[string]bool{dead: false, mine: true, running: true, other: true} {
		if _, err := os.Stat(d); (err == nil) != want {
			t.Errorf("%s: kept=%v, want %v", filepath.Base(d), err == nil, want)
		}
	}
}
