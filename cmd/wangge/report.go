package main

import (
	"context"
	"fmt"
	"os"
)

// reportCmd is the older name of `wangge export REPORT`, kept as a quiet
// alias: `wangge report NAME --area CODE --out FILE.xlsx` writes the same
// workbook.
func reportCmd(ctx context.Context, args []string) error {
	if len(args) < 1 || args[0] == "-h" || args[0] == "--help" || !isExportReport(args[0]) {
		fmt.Fprintln(os.Stderr, exportUsage)
		return exitError(2)
	}
	return exportTable(ctx, args[0], args[1:])
}
