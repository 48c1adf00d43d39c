package dav

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// DefaultRetries is how often a Client whose Retries is 0 tries an idempotent request
// again: enough to ride out a server restart or a proxy's hiccup, few enough that a
// server that is really down is reported within a minute or so.
const DefaultRetries = 3

// Backoff bounds. The first wait is about firstBackoff and doubles each time (with
// jitter, so that many clients a server turned away do not all come back at once);
// a Retry-After the server asks for is honoured up to maxRetryAfter.
const (
	firstBackoff  = 500 * time.Millisecond
	maxBackoff    = 30 * time.Second
	maxRetryAfter = 60 * time.Second
)

// idempotent methods are the ones a retry cannot apply twice. PUT and DELETE are
// idempotent in HTTP's sense, but ours are conditional: a retried PUT whose first try
// did land would fail its If-Match and look like a conflict.
var idempotent = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodOptions: true,
	"PROPFIND": true, "REPORT": true,
}

// retry decides whether the outcome of attempt (counted from 0) is worth another try,
// and how long to wait first.
func (c *Client) retry(ctx context.Context, method string, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	limit := c.Retries
	if limit == 0 {
		limit = DefaultRetries
	}
	if attempt >= limit || !idempotent[method] || ctx.Err() != nil {
		return 0, false
	}
	if err != nil {
		if !transient(err) {
			return 0, false
		}
		return backoff(attempt), true
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		wait := backoff(attempt)
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			wait = d
		}
		return wait, true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return backoff(attempt), true
	}
	return 0, false
}

// transient tells a connection that broke (reset, closed mid-response, refused while
// a server restarts) from errors another try cannot mend: a cancelled context, a
// certificate that does not verify, a name that does not resolve, a timeout (which
// already took long enough).
func transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	for _, e := range []error{syscall.ECONNRESET, syscall.ECONNREFUSED, syscall.ECONNABORTED,
		syscall.EPIPE, io.ErrUnexpectedEOF, io.EOF} {
		if errors.Is(err, e) {
			return true
		}
	}
	// net/http reports some broken connections only in words.
	msg := err.Error()
	return strings.Contains(msg, "server closed idle connection") ||
		strings.Contains(msg, "transport connection broken")
}

// backoff is the wait before retry number attempt+1: exponential, capped, and
// jittered into its upper half.
func backoff(attempt int) time.Duration {
	d := maxBackoff
	if attempt < 16 {
		d = min(firstBackoff<<attempt, maxBackoff)
	}
	return d/2 + rand.N(d/2+1)
}

// retryAfter reads a Retry-After header: seconds or an HTTP date, capped at
// maxRetryAfter so that a server cannot park a sync for hours.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		d = time.Duration(min(secs, int64(maxRetryAfter/time.Second))) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = max(t.Sub(now), 0)
	} else {
		return 0, false
	}
	return min(d, maxRetryAfter), true
}

// pause waits d, or less if ctx ends first.
func (c *Client) pause(ctx context.Context, d time.Duration) error {
	if c.sleep != nil {
		return c.sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting to retry: %w", context.Cause(ctx))
	}
}

func (c *Client) logger() *slog.Logger {
	if c.Log != nil {
		return c.Log
	}
	return slog.Default()
}
