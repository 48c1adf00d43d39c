package plan

import "sort"

// PropAction is one decision about a collection property (displayname, color, …).
type PropAction struct {
	// Op is Save (record Value in the status), Update (set the property on To to
	// Value; "" removes it), Conflict or Skip.
	Op    Op
	Name  string
	To    Side
	Value string
	Why   string
}

// Props plans a collection's properties three-way, like items: cur are the values on
// each side now, old the values recorded at the last sync; a missing value is a
// property that is not set.
func Props(cur [2]map[string]string, old map[string]string, o Options) []PropAction {
	names := map[string]bool{}
	for _, m := range []map[string]string{cur[A], cur[B], old} {
		for k := range m {
			names[k] = true
		}
	}
	sorted := make([]string, 0, len(names))
	for k := range names {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)

	var out []PropAction
	for _, name := range sorted {
		va, vb, vs := cur[A][name], cur[B][name], old[name]
		_, known := old[name]
		var a PropAction
		switch {
		case va == vb:
			if known && vs == va || !known && va == "" {
				continue
			}
			a = PropAction{Op: Save, Value: va, Why: "same on both sides"}
		case o.OneWay:
			a = PropAction{Op: Update, To: B, Value: va, Why: "b mirrors a"}
		case known && va == vs:
			a = PropAction{Op: Update, To: A, Value: vb, Why: "changed on b"}
		case known && vb == vs:
			a = PropAction{Op: Update, To: B, Value: va, Why: "changed on a"}
		case !known && va == "":
			a = PropAction{Op: Update, To: A, Value: vb, Why: "set on b"}
		case !known && vb == "":
			a = PropAction{Op: Update, To: B, Value: va, Why: "set on a"}
		default:
			switch o.Resolve {
			case KeepA:
				a = PropAction{Op: Update, To: B, Value: va, Why: "conflict: keep a"}
			case KeepB:
				a = PropAction{Op: Update, To: A, Value: vb, Why: "conflict: keep b"}
			default:
				a = PropAction{Op: Conflict, Why: "changed on both sides"}
			}
		}
		a.Name = name
		if a.Op == Update && o.ReadOnly[a.To] {
			a.Op, a.Why = Skip, a.Why+"; "+a.To.String()+" is read-only"
		}
		out = append(out, a)
	}
	return out
}
