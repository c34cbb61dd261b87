package runtime

import (
	"bytes"
	"encoding/json"

	"github.com/gqlplan/gqlplan/runtime/internal/sqlgen"
)

// A stream subscription sends each row once: its first read is the
// request as the client sent it (the rows after its after argument, or
// from the first), each later read the rows after the last one sent, one
// batch at a time. Its statement returns the batch with the cursor of its
// last row (sqlgen.SplitStreamBatch); the response holds the rows alone.
// A stream's reads are its own — each subscriber has its own position —
// so it is a group of one (see live.go), woken by the changes of its
// tables like any other; a full batch reads the next at once.

// streamBatch is what a stream's read gave: its rows' count and the
// cursor of the last (JSON null when there were none).
type streamBatch struct {
	cursor json.RawMessage
	count  int
	full   bool // count reached the batch size: more may wait
}

// unwrapStreams replaces each stream field's batch with its rows, and
// returns the batch (a subscription has one root field).
func unwrapStreams(fields []*rootField) *streamBatch {
	var batch *streamBatch
	for _, f := range fields {
		if !f.stream || f.err != nil || f.result == nil {
			continue
		}
		rows, cursor, count, err := sqlgen.SplitStreamBatch(f.result)
		if err != nil {
			f.fail(&Error{Message: "The stream's batch could not be read.", Code: CodeInternal, Err: err})
			continue
		}
		f.result = rows
		batch = &streamBatch{cursor: cursor, count: count, full: int64(count) >= f.batchSize}
	}
	return batch
}

// cursorValue is a cursor as the argument after takes it: a JSON number
// as an integer when it is one, a string as itself.
func cursorValue(cursor json.RawMessage) any {
	d := json.NewDecoder(bytes.NewReader(cursor))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return nil
	}
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			return i
		}
		f, _ := n.Float64()
		return f
	}
	return v
}
