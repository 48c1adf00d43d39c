package dav

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/pimsync-go/libsync/storage"
)

// ErrInvalidToken: the server no longer knows the sync token (RFC 6578 valid-sync-token,
// or it truncated the answer); the caller lists the collection in full instead.
var ErrInvalidToken = storage.ErrInvalidToken

// Changes is what changed in a collection since a sync token.
type Changes struct {
	Changed []Resource // new or modified items, with their etags
	Deleted []string   // hrefs of items gone
	Token   string     // the token to ask with next time
}

// SyncCollection asks for the changes since token with an RFC 6578 sync-collection
// REPORT.
func (c *Client) SyncCollection(ctx context.Context, collURL, token string) (*Changes, error) {
	body := `<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>` + escape(token) +
		`</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`
	r := request{method: "REPORT", url: collURL, body: []byte(body),
		header: http.Header{"Content-Type": {"application/xml; charset=utf-8"}}, once: true}
	resp, data, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	switch resp.StatusCode {
	case http.StatusForbidden, http.StatusConflict, http.StatusPreconditionFailed, http.StatusInsufficientStorage:
		return nil, fmt.Errorf("REPORT %s: %d: %w", redact(collURL), resp.StatusCode, ErrInvalidToken)
	}
	if err := check(r, resp, data, http.StatusMultiStatus); err != nil {
		return nil, err
	}
	ms, err := parseMultistatus(data)
	if err != nil {
		return nil, fmt.Errorf("REPORT %s: %w", redact(collURL), err)
	}
	if strings.TrimSpace(ms.SyncToken) == "" {
		return nil, fmt.Errorf("REPORT %s: no new sync token: %w", redact(collURL), ErrInvalidToken)
	}
	// A server that cut its answer short says so with a 507 for the collection itself
	// (RFC 6578 §3.6), which the item loop below skips: taking such an answer for a
	// whole one would miss the changes left out, for good.
	for _, r := range ms.Responses {
		if statusCode(r.Status) == http.StatusInsufficientStorage {
			return nil, fmt.Errorf("REPORT %s: truncated: %w", redact(collURL), ErrInvalidToken)
		}
	}
	ch := &Changes{Token: strings.TrimSpace(ms.SyncToken)}
	err = eachItem(ms, resp.Request.URL, "REPORT", collURL, func(r response, h string) error {
		switch {
		case gone(r.Status):
			ch.Deleted = append(ch.Deleted, h)
		default:
			if p := r.props(); !p.isCollection() {
				ch.Changed = append(ch.Changed, Resource{Href: h, Etag: etagOf(p)})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ch, nil
}

// gone reports whether a response's status line says the resource is gone.
func gone(status string) bool {
	code := statusCode(status)
	return code == http.StatusNotFound || code == http.StatusGone
}
