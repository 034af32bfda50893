package match

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"kedaitong"
)

// Main runs `kedaitong match`: it reads an instance from stdin, writes the
// optimal result as JSON to stdout and returns the exit code: 0 on
// success, 2 on bad input (the message on stderr), 1 on any other failure
// (a failed self-check, a cancelled context, a write error).
func Main(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer) int {
	ix, err := decode(stdin)
	if err == nil {
		var r *Result
		if _, r, err = solve(ctx, ix, Options{}); err == nil {
			w := bufio.NewWriter(stdout)
			enc := json.NewEncoder(w)
			if err = enc.Encode(r); err == nil {
				err = w.Flush()
			}
			if err != nil {
				fmt.Fprintf(stderr, "kedaitong match: writing the result: %v\n", err)
				return 1
			}
			return 0
		}
	}
	if kedaitong.ErrorCode(err) == kedaitong.EInvalid {
		fmt.Fprintf(stderr, "kedaitong match: bad input: %s\n", kedaitong.ErrorMessage(err))
		return 2
	}
	fmt.Fprintf(stderr, "kedaitong match: %v\n", err)
	return 1
}
