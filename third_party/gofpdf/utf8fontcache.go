package gofpdf

// Dosebook patch: this file is not part of gofpdf v1.16.2; see PATCHES.md.
//
// Upstream, AddUTF8FontFromBytes parses the whole TrueType file and
// marshals its 65536 character widths to JSON (for the font id) in every
// document, and GenerateCutFont parses the cmap and glyph locations again
// when the document is written. None of that depends on the document, so it
// is done once per distinct font and shared.

import "sync"

// utf8FontParse is what gofpdf learns from a TrueType font regardless of
// the document that uses it. It is shared by documents and read-only once
// built: nothing in gofpdf writes to fontDefType.Cw, and GenerateCutFont
// only reads the cut tables.
type utf8FontParse struct {
	desc FontDescType
	up   int
	ut   int
	cw   []int
	cut  *utf8CutTables // nil when the font has no Unicode cmap

	idMu sync.Mutex
	ids  map[string]string // generateFontID result by font key
}

// utf8CutTables holds the font-wide tables GenerateCutFont reads besides
// the glyph data itself.
type utf8CutTables struct {
	tableDescriptions    map[string]*tableDescription
	charSymbolDictionary map[int]int
	symbolPosition       []int
	locaFormat           int
	metricsCount         int
	numSymbols           int
}

// utf8FontCache maps font content to its parse. It is keyed by the bytes
// themselves, not by the slice's address: a caller may reuse a buffer for
// another font, and an address is reused once its slice is collected.
// Indexing a map with string(b) does not copy b; the runtime hashes and
// compares the bytes, which costs far less than parsing them. Entries are
// never evicted: applications add a small, fixed set of fonts.
var utf8FontCache = struct {
	mu    sync.RWMutex
	fonts map[string]*utf8FontParse
}{fonts: make(map[string]*utf8FontParse)}

// cachedUTF8FontParse returns the parse of the TrueType font in utf8Bytes,
// parsing it on first use.
func cachedUTF8FontParse(utf8Bytes []byte) (*utf8FontParse, error) {
	utf8FontCache.mu.RLock()
	p := utf8FontCache.fonts[string(utf8Bytes)]
	utf8FontCache.mu.RUnlock()
	if p != nil {
		return p, nil
	}
	// Parsing under the lock keeps concurrent first uses from parsing the
	// same font several times; it happens once per font.
	utf8FontCache.mu.Lock()
	defer utf8FontCache.mu.Unlock()
	if p = utf8FontCache.fonts[string(utf8Bytes)]; p != nil {
		return p, nil
	}
	p, err := parseUTF8Font(utf8Bytes)
	if err != nil {
		return nil, err
	}
	utf8FontCache.fonts[string(utf8Bytes)] = p
	return p, nil
}

// parseUTF8Font does what addFontFromBytes did for every document.
func parseUTF8Font(utf8Bytes []byte) (*utf8FontParse, error) {
	utf8File := newUTF8Font(&fileReader{readerPosition: 0, array: utf8Bytes})
	if err := utf8File.parseFile(); err != nil {
		return nil, err
	}
	p := &utf8FontParse{
		desc: FontDescType{
			Ascent:       int(utf8File.Ascent),
			Descent:      int(utf8File.Descent),
			CapHeight:    utf8File.CapHeight,
			Flags:        utf8File.Flags,
			FontBBox:     utf8File.Bbox,
			ItalicAngle:  utf8File.ItalicAngle,
			StemV:        utf8File.StemV,
			MissingWidth: round(utf8File.DefaultWidth),
		},
		up:  int(round(utf8File.UnderlinePosition)),
		ut:  round(utf8File.UnderlineThickness),
		cw:  utf8File.CharWidths,
		ids: make(map[string]string),
	}
	cutFile := newUTF8Font(&fileReader{readerPosition: 0, array: utf8Bytes})
	p.cut = cutFile.readCutTables()
	return p, nil
}

// fontID returns generateFontID(def) for a UTF-8 font definition built from
// p. Such a definition differs between documents only by its name (the font
// key), so the id is remembered by name.
func (p *utf8FontParse) fontID(def fontDefType) string {
	p.idMu.Lock()
	defer p.idMu.Unlock()
	id, ok := p.ids[def.Name]
	if !ok {
		// Upstream ignores this error too; marshalling ints and strings
		// cannot fail.
		id, _ = generateFontID(def)
		p.ids[def.Name] = id
	}
	return id
}
