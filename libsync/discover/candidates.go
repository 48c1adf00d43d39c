package discover

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// dnsCandidates returns the context URLs RFC 6764 offers for service at the input's
// domain: for _caldavs._tcp (https) and then _caldav._tcp (http), each SRV record in
// RFC 2782's order, at the path of the name's TXT record or else the well-known one;
// when DNS has no record, https://domain/.well-known/caldav. Each lookup goes into
// nf.Tried. A target "." says the service is not offered: no well-known URL is then
// guessed.
func (f *finder) dnsCandidates(ctx context.Context, service string, nf *NotFoundError) ([]candidate, error) {
	var cands []candidate
	declined := false
	for _, secure := range []bool{true, false} {
		name := "_" + service + "._tcp." + f.in.Domain
		scheme := "http"
		if secure {
			name = "_" + service + "s._tcp." + f.in.Domain
			scheme = "https"
		}
		recs, err := f.o.Resolver.LookupSRV(ctx, name)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			nf.Tried = append(nf.Tried, err.Error())
			continue
		}
		var usable []SRV
		for _, r := range recs {
			if r.Target != "." && r.Target != "" {
				usable = append(usable, r)
			}
		}
		switch {
		case len(recs) == 0:
			nf.Tried = append(nf.Tried, "SRV "+name+": no record")
			continue
		case len(usable) == 0:
			nf.Tried = append(nf.Tried, "SRV "+name+`: target "." (not offered)`)
			declined = true
			continue
		}
		ordered := OrderSRV(usable, f.o.Intn)
		var targets []string
		for _, r := range ordered {
			targets = append(targets, net.JoinHostPort(strings.TrimSuffix(r.Target, "."), strconv.Itoa(int(r.Port))))
		}
		nf.Tried = append(nf.Tried, "SRV "+name+": "+strings.Join(targets, ", ")+" (in the order tried)")
		p, err := f.txtPath(ctx, name, service)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			// A TXT record is optional, and the well-known path is what RFC 6764
			// falls back on without one.
			nf.Tried = append(nf.Tried, err.Error())
		}
		for _, r := range ordered {
			u, err := contextURL(scheme, r, p)
			if err != nil {
				nf.Tried = append(nf.Tried, fmt.Sprintf("SRV %s: %v", name, err))
				continue
			}
			f.log.Debug("SRV record", "name", name, "target", r.Target, "port", r.Port,
				"priority", r.Priority, "weight", r.Weight, "url", u)
			cands = append(cands, candidate{url: u, foundBy: "srv"})
		}
	}
	if len(cands) == 0 && !declined {
		u := url.URL{Scheme: "https", Host: f.in.Domain, Path: "/.well-known/" + service}
		cands = append(cands, candidate{url: u.String(), foundBy: "well-known"})
	}
	if len(cands) == 0 {
		return nil, nf
	}
	return cands, nil
}

// txtPath returns the context path of the TXT record at name (RFC 6764 section 4:
// path=/dav/), or the well-known path when there is none.
func (f *finder) txtPath(ctx context.Context, name, service string) (string, error) {
	wellKnown := "/.well-known/" + service
	recs, err := f.o.Resolver.LookupTXT(ctx, name)
	if err != nil {
		return wellKnown, err
	}
	for _, rec := range recs {
		for _, s := range rec {
			if v, ok := strings.CutPrefix(s, "path="); ok && strings.TrimSpace(v) != "" {
				v = strings.TrimSpace(v)
				if !strings.HasPrefix(v, "/") {
					v = "/" + v
				}
				return v, nil
			}
		}
	}
	if len(recs) > 0 {
		return wellKnown, fmt.Errorf("TXT %s: no path= (using %s)", name, wellKnown)
	}
	return wellKnown, nil
}

// contextURL is the URL of an SRV record's target with the context path p: https for
// _caldavs and on port 443 whatever the name, and the port left out when it is the
// scheme's own.
func contextURL(scheme string, r SRV, p string) (string, error) {
	if r.Port == 443 {
		scheme = "https"
	}
	host := strings.TrimSuffix(r.Target, ".")
	if scheme == "https" && r.Port == 443 || scheme == "http" && r.Port == 80 {
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
	} else {
		host = net.JoinHostPort(host, strconv.Itoa(int(r.Port)))
	}
	u, err := url.Parse(scheme + "://" + host + p)
	if err != nil {
		return "", fmt.Errorf("target %s, path %q: %w", r.Target, p, err)
	}
	return u.String(), nil
}
