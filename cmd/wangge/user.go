package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/passwd"
)

const userUsage = `usage:
  wangge user add --username U --role ROLE --scope CODE [--line LINE] [--name NAME] [--password P]
  wangge user passwd USERNAME [--password P]     (reads the password from stdin when not given)
  wangge user disable USERNAME
  wangge user list
roles: district_admin subdistrict_staff community_staff assistant building_head department auditor`

func user(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, userUsage)
		return exitError(2)
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		fmt.Println(userUsage) // help opens nothing
		return nil
	case "add", "passwd", "disable", "list":
	default:
		fmt.Fprintln(os.Stderr, userUsage)
		return exitError(2)
	}
	fs := flag.NewFlagSet("user "+args[0], flag.ExitOnError)
	dsn := dbFlag(fs)
	username := fs.String("username", "", "login name")
	role := fs.String("role", "", "role")
	scope := fs.String("scope", "", "region code of the account's scope")
	line := fs.String("line", "", "business line of a department account")
	name := fs.String("name", "", "display name")
	password := fs.String("password", "", "password (read from stdin when empty)")
	sub, rest := args[0], args[1:]
	var target string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		target, rest = rest[0], rest[1:]
	}
	fs.Parse(rest)

	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = cliActor(ctx)

	readPassword := func(user string) (string, error) {
		pw := *password
		if pw == "" {
			fmt.Fprint(os.Stderr, "新密码 New password: ")
			s := bufio.NewScanner(os.Stdin)
			s.Scan()
			pw = strings.TrimSpace(s.Text())
		}
		if err := passwd.CheckPolicy(user, pw, *name); err != nil {
			return "", err
		}
		return passwd.Hash(pw, passwd.Default), nil
	}

	switch sub {
	case "add":
		h, err := readPassword(*username)
		if err != nil {
			return err
		}
		u := &wangge.User{Username: *username, DisplayName: *name, Role: wangge.Role(*role), ScopeCode: *scope, Line: wangge.Line(*line), PasswordHash: h}
		if err := db.CreateUser(ctx, u); err != nil {
			return err
		}
		fmt.Printf("已创建账号 created %s (%s, %s)\n", u.Username, u.Role.Zh(), u.ScopeCode)
	case "passwd", "disable":
		u, err := db.UserByUsername(ctx, target)
		if err != nil {
			return fmt.Errorf("user %q: %w", target, err)
		}
		if sub == "passwd" {
			h, err := readPassword(u.Username)
			if err != nil {
				return err
			}
			// A new password ends every session of the account.
			if err := db.SetPassword(ctx, u.ID, h, nil, false); err != nil {
				return err
			}
		} else {
			u.Disabled = true
			if err := db.UpdateUser(ctx, u); err != nil {
				return err
			}
		}
		fmt.Printf("已更新账号 updated %s\n", u.Username)
	case "list":
		users, _, err := db.ListUsers(ctx, wangge.ScopeAll(), wangge.Page{Limit: wangge.MaxPageLimit})
		if err != nil {
			return err
		}
		for _, u := range users {
			state := ""
			if u.Disabled {
				state = " (停用 disabled)"
			}
			fmt.Printf("%-16s %-10s %-16s %s%s\n", u.Username, u.Role.Zh(), u.ScopeCode, u.DisplayName, state)
		}
	default:
		fmt.Fprintln(os.Stderr, userUsage)
		return exitError(2)
	}
	return nil
}
