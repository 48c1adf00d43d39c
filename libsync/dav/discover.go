package dav

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/url"
	"strings"
)

// Home is what a context URL (RFC 6764) leads to on the server.
type Home struct {
	// Answered is the URL that answered the first PROPFIND, after redirects: a
	// .well-known URL usually redirects to the server's real context path.
	Answered string
	// Principal is the current user's principal (RFC 5397); "" when the server names
	// none (it may not know the user without credentials).
	Principal string
	// HomeSet is the calendar or address book home set; "" when the server names
	// none, neither at the context URL nor at the principal.
	HomeSet string
}

// FindHome asks u for the current user's principal and kind's home set with a Depth 0
// PROPFIND, following redirects with the method kept (a .well-known URL answers with
// one, and Go's own client would turn the PROPFIND into a GET), and when the answer
// names a principal but no home set, asks the principal. Unlike HomeSet it says what
// the server named and nothing else, so that discovery can tell a server that knows
// the user from any URL that answers PROPFIND.
func (c *Client) FindHome(ctx context.Context, kind Kind, u string) (Home, error) {
	homeProp := homeSetProp(kind)
	ms, base, err := c.propfind(ctx, u, "0", "<D:current-user-principal/>"+homeProp+"<D:resourcetype/>")
	if err != nil {
		return Home{}, err
	}
	h := Home{Answered: base.String()}
	principal, home, err := principalAndHome(kind, base, ms)
	if err != nil {
		return h, fmt.Errorf("PROPFIND %s: %w", redact(u), err)
	}
	h.Principal, h.HomeSet = principal, home
	if h.HomeSet != "" || h.Principal == "" || h.Principal == h.Answered {
		return h, nil
	}
	ms, pbase, err := c.propfind(ctx, h.Principal, "0", homeProp)
	if err != nil {
		return h, fmt.Errorf("the principal: %w", err)
	}
	if _, h.HomeSet, err = principalAndHome(kind, pbase, ms); err != nil {
		return h, fmt.Errorf("PROPFIND %s: %w", redact(h.Principal), err)
	}
	return h, nil
}

// principalAndHome reads the first current-user-principal and home set of a
// multistatus as absolute URLs.
func principalAndHome(kind Kind, base *url.URL, ms *multistatus) (principal, home string, err error) {
	abs := func(hp *hrefProp) (string, error) {
		if hp == nil || len(hp.Hrefs) == 0 || strings.TrimSpace(hp.Hrefs[0]) == "" {
			return "", nil
		}
		u, err := base.Parse(strings.TrimSpace(hp.Hrefs[0]))
		if err != nil {
			return "", fmt.Errorf("unusable href %q: %w", hp.Hrefs[0], err)
		}
		return u.String(), nil
	}
	for _, r := range ms.Responses {
		p := r.props()
		hp := p.CalHome
		if kind == AddressBooks {
			hp = p.CardHome
		}
		if home == "" {
			if home, err = abs(hp); err != nil {
				return "", "", err
			}
		}
		if principal == "" {
			if principal, err = abs(p.Principal); err != nil {
				return "", "", err
			}
		}
	}
	return principal, home, nil
}

// FindCollections lists the calendars (or address books) in the home set at homeURL,
// as Collections does, and also reads each calendar's supported components
// (supported-calendar-component-set, RFC 4791) into Components. It returns the URL
// that answered, after redirects, against which the hrefs resolve.
func (c *Client) FindCollections(ctx context.Context, kind Kind, homeURL string) ([]Collection, string, error) {
	cols, base, err := c.collections(ctx, kind, homeURL, true, true)
	if err != nil {
		return nil, "", err
	}
	return cols, base.String(), nil
}

// parseComponents reads the supported components out of a multistatus body. They are
// parsed apart, so that the prop every other request decodes into stays as it is; the
// responses come in the order of the multistatus parseMultistatus reads.
func parseComponents(data []byte) (compMultistatus, error) {
	var cms compMultistatus
	if err := xml.Unmarshal(data, &cms); err != nil {
		return compMultistatus{}, fmt.Errorf("invalid multistatus XML: %w", err)
	}
	return cms, nil
}

// compMultistatus is the part of a multistatus that holds supported-calendar-component-set.
type compMultistatus struct {
	Responses []compResponse `xml:"DAV: response"`
}

type compResponse struct {
	Propstats []struct {
		Status string `xml:"DAV: status"`
		Prop   struct {
			Set *struct {
				Comps []struct {
					Name string `xml:"name,attr"`
				} `xml:"urn:ietf:params:xml:ns:caldav comp"`
			} `xml:"urn:ietf:params:xml:ns:caldav supported-calendar-component-set"`
		} `xml:"DAV: prop"`
	} `xml:"DAV: propstat"`
}

// components returns the component names of a response's successful propstats,
// upper-cased as iCalendar writes them.
func (r compResponse) components() []string {
	var out []string
	for _, ps := range r.Propstats {
		if !ok(ps.Status) || ps.Prop.Set == nil {
			continue
		}
		for _, c := range ps.Prop.Set.Comps {
			if n := strings.ToUpper(strings.TrimSpace(c.Name)); n != "" {
				out = append(out, n)
			}
		}
	}
	return out
}
