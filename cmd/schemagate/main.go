// Command schemagate makes database schema changes safe to deploy: it
// applies versioned SQL migrations exactly once, gates deploys on the
// database being where the release needs it, and explains precisely what
// differs when it is not.
//
// This package holds flags, output and exit codes only; the work is done by
// the packages it wires together.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/schemagate/schemagate"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	a := newApp(stdout, stderr)
	// A panic is a bug, but its message and stack may quote a URL: print
	// them redacted, like everything else.
	defer func() {
		if p := recover(); p != nil {
			code = a.reportPanic(p, debug.Stack())
		}
	}()
	root := a.rootCommand()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var sgErr *schemagate.Error
	if !errors.As(err, &sgErr) {
		// Errors that are not ours come from parsing the command line.
		sgErr = &schemagate.Error{Kind: schemagate.KindUsage, Reason: "usage", Err: err,
			Hint: "run `schemagate help` for the commands and flags"}
		err = sgErr
	}
	a.printError(err)
	return schemagate.ExitCode(err)
}

// commandError wraps an error returned by a command's own code, so that
// only command-line parsing errors reach run() untyped.
func commandError(err error) error {
	if err == nil {
		return nil
	}
	var sgErr *schemagate.Error
	if errors.As(err, &sgErr) {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return schemagate.Errorf(schemagate.KindError, "interrupted", "interrupted: %w", err)
	}
	return &schemagate.Error{Kind: schemagate.KindError, Reason: "error", Err: fmt.Errorf("%w", err)}
}

// reportPanic prints a recovered panic with every credential redacted and
// returns the exit code for an error.
func (a *app) reportPanic(p any, stack []byte) int {
	fmt.Fprintf(a.stderr, "schemagate: internal error (please report it): %s\n%s",
		a.redact(fmt.Sprint(p)), a.redact(string(stack)))
	return int(schemagate.KindError)
}
