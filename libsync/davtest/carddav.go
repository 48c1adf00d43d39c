package davtest

import (
	"bytes"
	"context"

	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav/carddav"
)

// cardBackend is the carddav.Backend over the store; its errors are go-webdav's, as
// calBackend's.
type cardBackend struct {
	st *store
}

var _ carddav.Backend = cardBackend{}

func (b cardBackend) CurrentUserPrincipal(context.Context) (string, error) { return principal, nil }

func (b cardBackend) AddressBookHomeSetPath(context.Context) (string, error) {
	return addressBookHome, nil
}

func (b cardBackend) CreateAddressBook(_ context.Context, ab *carddav.AddressBook) error {
	return httpError(b.st.createCollection(addressBookHome, ab.Path, ab.Name, ab.Description))
}

func (b cardBackend) DeleteAddressBook(ctx context.Context, p string) error {
	return httpError(b.st.remove(p, deleteConditions(ctx)))
}

func (b cardBackend) ListAddressBooks(context.Context) ([]carddav.AddressBook, error) {
	var out []carddav.AddressBook
	for _, c := range b.st.collections(addressBookHome) {
		out = append(out, addressBookOf(c))
	}
	return out, nil
}

func (b cardBackend) GetAddressBook(_ context.Context, p string) (*carddav.AddressBook, error) {
	c, err := b.st.collection(p)
	if err != nil {
		return nil, httpError(err)
	}
	ab := addressBookOf(c)
	return &ab, nil
}

func addressBookOf(c collection) carddav.AddressBook {
	return carddav.AddressBook{Path: c.path, Name: c.name, Description: c.description}
}

// GetAddressObject returns the whole card whatever req asks, as GetCalendarObject.
func (b cardBackend) GetAddressObject(_ context.Context, p string, _ *carddav.AddressDataRequest) (*carddav.AddressObject, error) {
	o, err := b.st.object(p)
	if err != nil {
		return nil, httpError(err)
	}
	ao := addressObjectOf(o)
	return &ao, nil
}

func (b cardBackend) ListAddressObjects(_ context.Context, p string, _ *carddav.AddressDataRequest) ([]carddav.AddressObject, error) {
	objs, err := b.st.objects(p)
	if err != nil {
		return nil, httpError(err)
	}
	out := make([]carddav.AddressObject, len(objs))
	for i, o := range objs {
		out[i] = addressObjectOf(o)
	}
	return out, nil
}

func (b cardBackend) QueryAddressObjects(ctx context.Context, p string, q *carddav.AddressBookQuery) ([]carddav.AddressObject, error) {
	all, err := b.ListAddressObjects(ctx, p, nil)
	if err != nil {
		return nil, err
	}
	return carddav.Filter(q, all)
}

func addressObjectOf(o object) carddav.AddressObject {
	return carddav.AddressObject{Path: o.path, ModTime: o.mod, ContentLength: o.size, ETag: o.etag, Card: o.data.(vcard.Card)}
}

// PutAddressObject stores card, refusing one go-vcard cannot encode (it would fail
// every GET) and a second card with the same UID (RFC 6352 §6.3.2.1).
func (b cardBackend) PutAddressObject(ctx context.Context, p string, card vcard.Card, opts *carddav.PutAddressObjectOptions) (*carddav.AddressObject, error) {
	var buf bytes.Buffer
	if err := vcard.NewEncoder(&buf).Encode(card); err != nil {
		return nil, carddav.NewPreconditionError(carddav.PreconditionValidAddressData)
	}
	o, err := b.st.put(object{path: p, uid: card.Value(vcard.FieldUID), size: int64(buf.Len()), data: card},
		conditions{opts.IfMatch, opts.IfNoneMatch}, carddav.NewPreconditionError(carddav.PreconditionNoUIDConflict))
	if err != nil {
		return nil, httpError(err)
	}
	ao := addressObjectOf(o)
	return &ao, nil
}

func (b cardBackend) DeleteAddressObject(ctx context.Context, p string) error {
	return httpError(b.st.remove(p, deleteConditions(ctx)))
}
