package patients

import (
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// NameOrder sorts people by family name, then given name, as a reader of
// an English list expects: Łukasiewicz among the Ls, de Souza among the
// Ds, case and accents second. A database's own collation cannot do it on
// both databases (SQLite compares bytes, and PostgreSQL's depends on the
// locale it was created with), so lists of people are ordered here.
type NameOrder struct {
	c *collate.Collator
}

// NewNameOrder returns an ordering for one list; it is not safe for
// concurrent use.
func NewNameOrder() NameOrder {
	return NameOrder{c: collate.New(language.BritishEnglish)}
}

// Compare is negative, zero or positive as a's name sorts before, with or
// after b's. Names the collation holds equal are told apart by their
// bytes, so the order is total and a page cursor is unambiguous.
func (o NameOrder) Compare(aFamily, aGiven, bFamily, bGiven string) int {
	if c := o.c.CompareString(aFamily, bFamily); c != 0 {
		return c
	}
	if c := o.c.CompareString(aGiven, bGiven); c != 0 {
		return c
	}
	switch {
	case aFamily+"\x00"+aGiven < bFamily+"\x00"+bGiven:
		return -1
	case aFamily+"\x00"+aGiven > bFamily+"\x00"+bGiven:
		return 1
	}
	return 0
}
