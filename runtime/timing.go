package runtime

import (
	"fmt"
	"time"
)

// phases are when a request's phases ended, for its Server-Timing header
// (Config.ServerTiming): read and parsed, planned (its statements
// composed), done (executed and its response built).
type phases struct {
	start, parsed, planned, done time.Time
}

// The marks; on nil phases (Server-Timing off) they do nothing.
func (p *phases) markParsed() {
	if p != nil {
		p.parsed = time.Now()
	}
}

func (p *phases) markPlanned() {
	if p != nil {
		p.planned = time.Now()
	}
}

func (p *phases) markDone() {
	if p != nil {
		p.done = time.Now()
	}
}

// header is the Server-Timing value, in milliseconds. A phase the
// request did not reach (it was refused before) is left out.
func (p *phases) header() string {
	ms := func(from, to time.Time) float64 { return float64(to.Sub(from).Microseconds()) / 1000 }
	s := fmt.Sprintf("parse;dur=%.3f", ms(p.start, p.parsed))
	if !p.planned.IsZero() {
		s += fmt.Sprintf(", plan;dur=%.3f, db;dur=%.3f", ms(p.parsed, p.planned), ms(p.planned, p.done))
	} else if !p.done.IsZero() {
		s += fmt.Sprintf(", plan;dur=%.3f", ms(p.parsed, p.done))
	}
	return s
}
