package main

import (
	"context"
	"os"
	osuser "os/user"
	"strconv"

	"github.com/wangge/wangge"
)

// cliIdentity is who runs the command, as the audit log and the exports'
// watermarks name them: the operating system's user, by its uid and the
// name the system's user database gives it ("cli:alice(uid:1000)"), or
// "cli:uid:1000" when the uid has no name. Never $USER, which whoever runs
// the command sets to anything.
func cliIdentity() string {
	uid := os.Getuid()
	if uid < 0 { // Windows: no uid; the account's SID and name
		if u, err := osuser.Current(); err == nil && u.Username != "" {
			return "cli:" + u.Username + "(sid:" + u.Uid + ")"
		}
		return "cli:unknown"
	}
	id := strconv.Itoa(uid)
	// LookupId reads the system's user database (/etc/passwd, or NSS);
	// unlike user.Current it never falls back to $USER.
	if u, err := osuser.LookupId(id); err == nil && u.Username != "" {
		return "cli:" + u.Username + "(uid:" + id + ")"
	}
	return "cli:uid:" + id
}

// cliActor is the operator at the command line, acting as the system.
func cliActor(ctx context.Context) context.Context {
	return wangge.WithActor(ctx, wangge.Actor{Username: cliIdentity(), Role: wangge.RoleSystem})
}
