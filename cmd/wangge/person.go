package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/sqldb"
)

const personUsage = `usage (every command that shows, changes or deletes a person needs --reason, which the audit log keeps):
  wangge person find  (--id-number N | --phone P | --name NAME)        masked list of matches with their ids
  wangge person show   ID --reason R                                   the whole record, in full
  wangge person export ID --reason R [-o FILE]                         everything held about the person, as JSON
  wangge person correct ID --reason R [--name N] [--id-number N] [--phone P]
  wangge person delete ID --reason R`

// person is the operator's tool for a person's rights under PIPL: to know
// what is held (show, export), to have it corrected, and to have it
// deleted. It acts as the system over the whole database, and every action
// is audited with its reason.
func person(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, personUsage)
		return exitError(2)
	}
	sub, rest := args[0], args[1:]
	var id int64
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		var err error
		if id, err = strconv.ParseInt(rest[0], 10, 64); err != nil {
			return fmt.Errorf("person id %q is not a number", rest[0])
		}
		rest = rest[1:]
	}
	fs := flag.NewFlagSet("person "+sub, flag.ExitOnError)
	dsn := dbFlag(fs)
	reason := fs.String("reason", "", "why (kept in the audit log)")
	idNumber := fs.String("id-number", "", "ID number")
	phone := fs.String("phone", "", "phone")
	name := fs.String("name", "", "name")
	out := fs.String("o", "", "output file (default: standard output)")
	fs.Parse(rest)

	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = cliActor(ctx)
	all := wangge.ScopeAll()
	needID := func() error {
		if id <= 0 {
			return fmt.Errorf("give the person's id (find it with `wangge person find`)")
		}
		if strings.TrimSpace(*reason) == "" {
			return fmt.Errorf("--reason is required: the audit log keeps why a person's data was shown or changed")
		}
		return nil
	}

	switch sub {
	case "find":
		if *idNumber == "" && *phone == "" && *name == "" {
			return fmt.Errorf("give --id-number, --phone or --name")
		}
		ps, n, err := db.ListPersons(ctx, all, wangge.PersonFilter{IDNumber: *idNumber, Phone: *phone, Name: *name, Page: wangge.Page{Limit: 100}})
		if err != nil {
			return err
		}
		for _, p := range ps {
			fmt.Printf("%-8d %-10s %s  %-12s 户 household %d  网格 grid %s\n", p.ID, p.Name, p.IDNumber, p.Phone, p.HouseholdID, p.GridCode)
		}
		fmt.Printf("%d 人 persons found\n", n)
	case "show", "export":
		if err := needID(); err != nil {
			return err
		}
		rec, err := personRecord(ctx, db, id, *reason, sub)
		if err != nil {
			return err
		}
		w := os.Stdout
		if *out != "" {
			f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
			if err != nil {
				return err
			}
			defer f.Close()
			w = f
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rec)
	case "correct":
		if err := needID(); err != nil {
			return err
		}
		p, err := db.RevealPerson(ctx, all, id, "更正 correct: "+*reason)
		if err != nil {
			return err
		}
		if *name != "" {
			p.Name = *name
		}
		if *idNumber != "" {
			p.IDNumber = *idNumber
		}
		if *phone != "" {
			p.Phone = *phone
		}
		if err := db.UpdatePerson(ctx, wangge.ScopeAll(), p); err != nil {
			return err
		}
		fmt.Printf("已更正 corrected person %d\n", id)
	case "delete":
		if err := needID(); err != nil {
			return err
		}
		p, err := db.Person(ctx, all, id)
		if err != nil {
			return err
		}
		if err := db.DeletePerson(ctx, wangge.ScopeAll(), id, p.Version, *reason); err != nil {
			return err
		}
		fmt.Printf("已删除 deleted person %d with their key-group memberships and move history; the audit log keeps the deletion and its reason\n", id)
	default:
		fmt.Fprintln(os.Stderr, personUsage)
		return exitError(2)
	}
	return nil
}

// personExport is everything held about one person.
type personExport struct {
	Exported    time.Time           `json:"exported"`
	Exporter    string              `json:"exporter"`
	Reason      string              `json:"reason"`
	Person      *wangge.Person      `json:"person"`
	Household   *wangge.Household   `json:"household"`
	Memberships []wangge.Membership `json:"key_groups"`
	Moves       []wangge.Move       `json:"moves"`
	Visits      []wangge.Visit      `json:"household_visits"`
}

func personRecord(ctx context.Context, db *sqldb.DB, id int64, reason, how string) (*personExport, error) {
	all := wangge.ScopeAll()
	p, err := db.RevealPerson(ctx, all, id, how+": "+reason)
	if err != nil {
		return nil, err
	}
	rec := &personExport{Exported: time.Now().UTC(), Exporter: wangge.ActorFrom(ctx).Username, Reason: reason, Person: p}
	if rec.Household, err = db.Household(ctx, all, p.HouseholdID); err != nil {
		return nil, err
	}
	if rec.Memberships, _, err = db.ListMemberships(ctx, all, wangge.MembershipFilter{PersonID: id, Page: wangge.Page{Limit: wangge.MaxPageLimit}}); err != nil {
		return nil, err
	}
	if rec.Moves, err = db.PersonMoves(ctx, all, id); err != nil {
		return nil, err
	}
	if rec.Visits, _, err = db.ListVisits(ctx, all, wangge.VisitFilter{HouseholdID: p.HouseholdID, Page: wangge.Page{Limit: wangge.MaxPageLimit}}); err != nil {
		return nil, err
	}
	return rec, nil
}
