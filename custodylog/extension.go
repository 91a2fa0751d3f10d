package custodylog

import (
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/custody-toolkit/custody/manifest"
)

// The extension rule (docs/custody-log.md, Extensions): a later version
// of the format may add actions, event members and event entries. An
// event a verifier cannot fully read, but whose signature verifies and
// which chains, shows nothing altered: its actor signed every byte. So
// the verifier reads what it knows, checks all of that as strictly as
// ever, and reports the rest as not implemented instead of forged.

// ParseExtended reads an event that Parse refuses only for what this
// version does not know: an action outside Actions, or members it has no
// field for (at any depth). The bytes must still be canonical JSON
// without duplicate members, and every known member must be in its one
// form (present when required, never written empty, well-formed). It
// returns the event as far as known and what is unknown, never empty
// when err is nil: an event without anything unknown is Parse's.
func ParseExtended(data []byte) (*Event, []string, error) {
	canonical := jsontext.Value(slices.Clone(data))
	if err := canonical.Canonicalize(); err != nil {
		return nil, nil, err
	}
	if string(canonical) != string(data) {
		return nil, nil, fmt.Errorf("not in canonical JSON encoding (RFC 8785)")
	}
	var e Event
	if err := jsonv2.Unmarshal(data, &e); err != nil {
		return nil, nil, err
	}
	var unknown []string
	if !slices.Contains(Actions, e.Action) {
		unknown = append(unknown, fmt.Sprintf("action %q", e.Action))
	}
	if err := e.check(len(unknown) == 0); err != nil {
		return nil, nil, err
	}
	members, err := unknownMembers(&e, data)
	if err != nil {
		return nil, nil, err
	}
	unknown = append(unknown, members...)
	if len(unknown) == 0 {
		return nil, nil, fmt.Errorf("nothing unknown: read it with Parse")
	}
	return &e, unknown, nil
}

// unknownMembers compares data with the canonical encoding of what was
// read from it: every member of that encoding must be in data with the
// same value, and the members data has beyond it must be unknown ones,
// not known ones written in another form (e.g. empty).
func unknownMembers(e *Event, data []byte) ([]string, error) {
	known, err := manifest.Marshal(e)
	if err != nil {
		return nil, err
	}
	var got, want any
	if err := jsonv2.Unmarshal(data, &got); err != nil {
		return nil, err
	}
	if err := jsonv2.Unmarshal(known, &want); err != nil {
		return nil, err
	}
	var unknown []string
	if err := diffMembers("", reflect.TypeOf(Event{}), got, want, &unknown); err != nil {
		return nil, err
	}
	return unknown, nil
}

// diffMembers walks got (the stored event) against want (what this
// version reads of it), t being the Go type of that value.
func diffMembers(path string, t reflect.Type, got, want any, unknown *[]string) error {
	switch t.Kind() {
	case reflect.Struct:
		g, _ := got.(map[string]any)
		w, _ := want.(map[string]any)
		fields := memberTypes(t)
		for _, name := range sortedKeys(w) {
			if _, ok := g[name]; !ok {
				return fmt.Errorf("field %s%s: missing", path, name)
			}
		}
		for _, name := range sortedKeys(g) {
			ft, isKnown := fields[name]
			_, written := w[name]
			switch {
			case !isKnown:
				*unknown = append(*unknown, "member "+path+name)
			case !written:
				return fmt.Errorf("field %s%s: not in its one form (optional members are omitted, never written empty)", path, name)
			default:
				if err := diffMembers(path+name+".", ft, g[name], w[name], unknown); err != nil {
					return err
				}
			}
		}
		return nil
	case reflect.Slice:
		g, _ := got.([]any)
		w, _ := want.([]any)
		if len(g) != len(w) {
			return fmt.Errorf("field %s: not in its one form", strings.TrimSuffix(path, "."))
		}
		for i := range g {
			if err := diffMembers(fmt.Sprintf("%s%d.", path, i), t.Elem(), g[i], w[i], unknown); err != nil {
				return err
			}
		}
		return nil
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Errorf("field %s: not in its one form", strings.TrimSuffix(path, "."))
	}
	return nil
}

// memberTypes maps the JSON member names of struct type t to their types:
// the members this version knows, from the one place that defines them.
func memberTypes(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		fields[name] = f.Type
	}
	return fields
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
