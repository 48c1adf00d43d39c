package migrate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The shapes of vdirsyncer's start_date and end_date (Python expressions it evaluated)
// that have a safe equivalent: now or today, moved by a timedelta of days or weeks, and
// a fixed date or datetime. White space is removed before matching.
var (
	pyNow   = `(?:datetime\.)?(?:datetime\.now|datetime\.today|date\.today|datetime\.utcnow)\(\)`
	pyDelta = regexp.MustCompile(`^` + pyNow + `(?:([+-])(?:datetime\.)?timedelta\((?:(days|weeks)=)?(\d+)\))?$`)
	pyFixed = regexp.MustCompile(`^(?:datetime\.)?(?:datetime|date)\((\d{4}),(\d{1,2}),(\d{1,2})(?:,\d+)*\)$`)
)

// dateSpec translates a Python date expression into pimsync's start_date/end_date
// syntax (-365d, +2w, 2026-01-01), or says why it cannot.
func dateSpec(expr string) (string, error) {
	e := strings.Join(strings.Fields(expr), "")
	if m := pyDelta.FindStringSubmatch(e); m != nil {
		if m[1] == "" {
			return "+0d", nil
		}
		n, err := strconv.Atoi(m[3])
		if err != nil {
			return "", err
		}
		unit := "d"
		if m[2] == "weeks" {
			unit = "w"
		}
		return fmt.Sprintf("%s%d%s", m[1], n, unit), nil
	}
	if m := pyFixed.FindStringSubmatch(e); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
		if t.Month() != time.Month(mo) || t.Day() != d {
			return "", fmt.Errorf("%s is not a day of the calendar", expr)
		}
		return t.Format("2006-01-02"), nil
	}
	return "", fmt.Errorf("%q is a Python expression without a safe equivalent (pimsync takes -365d, +2y, -6m, +4w or YYYY-MM-DD)", expr)
}
