package replay

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteTable prints the two runs side by side, next to the incident, and
// the rollback leg when it ran.
func (r *Result) WriteTable(w io.Writer) {
	u, g := r.Unguarded, r.Guarded
	fmt.Fprintf(w, "The deploy of release 2 whose migration did not run, replayed on %s (times from the deploy's start):\n\n", r.Engine)
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	row := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")) }
	row("", "unguarded", "guarded (schemagate)", "the incident, 2023-05-31")
	row("requests", count(u.Requests), count(g.Requests), "not published")
	row("failed requests", failures(u.Failed, u.ByFailure), failures(g.Failed, g.ByFailure), "most, for 18 min (401/404)")
	row("time to detect", firstFailure(u), fmt.Sprintf("%s (verify exit %d)", dur(g.Detect), g.GateExit), "1 min (monitoring alerts)")
	row("time to diagnose", dur(u.Diagnose)+" (people; scripted)", dur(g.Diagnose)+" (the gate names the migration)", "9 min")
	row("time to recover", recovered(u), "nothing failed", "21 min (manual rollback)")
	tw.Flush()

	fmt.Fprintf(w, "\nThe gate's message (guarded run, exit %d):\n%s\n", g.GateExit, indent(g.GateMessage, 2))
	fmt.Fprintf(w, "\nEach release-2 instance's guard knew within %s of its start: %s\n", dur(g.GuardDetect), g.GuardReason)
	fmt.Fprintf(w, "After the late migration, release 2's guards found the schema compatible in %s and the routers sent it traffic in %s.\n",
		dur(g.Release2Compatible), dur(g.Release2Ready))
	if g.RollbackNeedsNoSchemaChange {
		fmt.Fprintf(w, "Release 1 still passes the gate on the new schema: rolling back needs no schema change.\n")
	}

	if rb := r.Rollback; rb != nil {
		fmt.Fprintf(w, "\nRollback (release 2 misbehaves for another reason: median latency %s):\n", dur(rb.SlowMedian))
		tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
		row := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")) }
		row("compatibility window", windowText(rb.Window))
		row("deploys", strconv.Itoa(rb.Deploys))
		row("schema changes", strconv.Itoa(rb.SchemaChanges))
		row("rollback took", dur(rb.Duration))
		row("requests from its start", count(rb.Requests))
		row("failed requests", failures(rb.Failed, rb.ByFailure))
		row("median latency after", dur(rb.RecoveredMedian))
		tw.Flush()
	}
}

func firstFailure(r Deploy) string {
	if r.Failed == 0 {
		return "never"
	}
	return dur(r.Detect) + " (first wrong answer)"
}

func recovered(r Deploy) string {
	if r.Failed == 0 {
		return "nothing failed"
	}
	return dur(r.Recover) + " (rollback)"
}

func failures(n int, by map[string]int) string {
	if n == 0 {
		return "0"
	}
	return fmt.Sprintf("%s (%s)", count(n), breakdown(by))
}

// breakdown lists failures by kind: "401: 27, 404: 9,587".
func breakdown(by map[string]int) string {
	keys := make([]string, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + count(by[k])
	}
	return strings.Join(parts, ", ")
}

// count writes n with thousands separators.
func count(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func dur(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	default:
		return d.Round(10 * time.Millisecond).String()
	}
}
