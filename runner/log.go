package runner

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Logger writes Polygraphy-style log lines ("[I] ...", "[W] ...", "[V] ...")
// to W. A nil Logger, or one with a nil W, discards everything; verbose lines
// are written only when Verbose is set, information lines unless Quiet is
// (and Verbose is not). It is safe for concurrent use.
type Logger struct {
	W       io.Writer
	Verbose bool
	Quiet   bool
	mu      sync.Mutex
}

func (l *Logger) printf(tag, format string, args ...any) {
	if l == nil || l.W == nil {
		return
	}
	msg := fmt.Sprintf(format, args...)
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, line := range strings.Split(msg, "\n") {
		if i == 0 {
			fmt.Fprintf(l.W, "[%s] %s\n", tag, line)
		} else {
			fmt.Fprintf(l.W, "    %s\n", line)
		}
	}
}

// Infof writes an information line.
func (l *Logger) Infof(format string, args ...any) {
	if l != nil && l.Quiet && !l.Verbose {
		return
	}
	l.printf("I", format, args...)
}

// Warnf writes a warning line.
func (l *Logger) Warnf(format string, args ...any) { l.printf("W", format, args...) }

// Errorf writes an error line.
func (l *Logger) Errorf(format string, args ...any) { l.printf("E", format, args...) }

// Verbosef writes a line only in verbose mode.
func (l *Logger) Verbosef(format string, args ...any) {
	if l != nil && l.Verbose {
		l.printf("V", format, args...)
	}
}

// Writer returns where reports go (io.Discard for a nil Logger).
func (l *Logger) Writer() io.Writer {
	if l == nil || l.W == nil {
		return io.Discard
	}
	return lockedWriter{l}
}

type lockedWriter struct{ l *Logger }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.l.mu.Lock()
	defer w.l.mu.Unlock()
	return w.l.W.Write(p)
}

// Progress reports long work: the first line after Delay, then at most one
// line every Interval. Zero values mean 2 s and 2 s.
type Progress struct {
	Log      *Logger
	Delay    time.Duration
	Interval time.Duration
	start    time.Time
	last     time.Time
	mu       sync.Mutex
}

// NewProgress starts the clock.
func NewProgress(l *Logger) *Progress {
	return &Progress{Log: l, start: time.Now()}
}

// Update reports what is being done, if it is time to.
func (p *Progress) Update(what string, done, total int) {
	if p == nil || p.Log == nil {
		return
	}
	p.mu.Lock()
	now := time.Now()
	delay, interval := p.Delay, p.Interval
	if delay <= 0 {
		delay = 2 * time.Second
	}
	if interval <= 0 {
		interval = 2 * time.Second
	}
	if p.start.IsZero() {
		p.start = now
	}
	due := now.Sub(p.start) >= delay && (p.last.IsZero() || now.Sub(p.last) >= interval)
	if due {
		p.last = now
	}
	p.mu.Unlock()
	if !due {
		return
	}
	if total > 0 {
		p.Log.Infof("%s: %d/%d (%.0f%%) | %.1fs elapsed", what, done, total, 100*float64(done)/float64(total), now.Sub(p.start).Seconds())
	} else {
		p.Log.Infof("%s | %.1fs elapsed", what, now.Sub(p.start).Seconds())
	}
}

// prefixWriter writes each line of a report with a log tag in front ("[I]",
// or "[E]" for lines that report a failure) and an indent, so reports read
// like Polygraphy's log. Call Flush after the last write.
type prefixWriter struct {
	w      io.Writer
	indent string
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.buf = append(p.buf, b...)
	for {
		i := indexNL(p.buf)
		if i < 0 {
			return len(b), nil
		}
		if err := p.line(string(p.buf[:i])); err != nil {
			return 0, err
		}
		p.buf = p.buf[i+1:]
	}
}

func indexNL(b []byte) int {
	for i, c := range b {
		if c == '\n' {
			return i
		}
	}
	return -1
}

func (p *prefixWriter) line(s string) error {
	tag := "[I]"
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "FAILED") {
		tag = "[E]"
	}
	indent := p.indent
	if strings.HasPrefix(s, "Accuracy Summary") || strings.HasPrefix(s, "Output Validation") {
		indent = ""
	}
	_, err := fmt.Fprintf(p.w, "%s %s%s\n", tag, indent, s)
	return err
}

// Flush writes a last line that has no newline.
func (p *prefixWriter) Flush() error {
	if len(p.buf) == 0 {
		return nil
	}
	s := string(p.buf)
	p.buf = nil
	return p.line(s)
}
