package main

import (
	"fmt"

	"github.com/wangge/wangge/msg"
)

// refusal is a refusal of the command line. Its text is the message
// catalogue's (msg/cli.*.json), English first and Chinese on the next line,
// as an operator may read either; err, when set, is the cause, kept for
// errors.Is and shown through the text's {{.Err}}.
type refusal struct {
	key    string
	params map[string]any
	err    error
}

// cliErr returns the refusal key with params (name/value pairs); a non-nil
// err is wrapped and fills {{.Err}}.
func cliErr(err error, key string, params ...any) error {
	p := make(map[string]any, len(params)/2+1)
	for i := 0; i+1 < len(params); i += 2 {
		p[fmt.Sprint(params[i])] = params[i+1]
	}
	if err != nil {
		p["Err"] = err.Error()
	}
	return &refusal{key: key, params: p, err: err}
}

func (e *refusal) Error() string {
	return msg.Text("en", e.key, e.params) + "\n" + msg.Text("zh", e.key, e.params)
}

func (e *refusal) Unwrap() error { return e.err }
