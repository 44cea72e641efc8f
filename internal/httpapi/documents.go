package httpapi

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/dosebook/dosebook/internal/documents"
	"github.com/dosebook/dosebook/internal/pdf"
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/store"
)

func (s *Server) pdfOptions() pdf.Options { return pdf.Options{CreatedAt: s.db.Now(), Compress: true} }

// writePDF sends a document inline. Documents carry patient data, so no
// cache may keep them.
func writePDF(c *gin.Context, filename string, body []byte) {
	filename = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, filename)
	c.Header("Content-Disposition", `inline; filename="`+filename+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/pdf", body)
}

// prescriptionPDF prints a prescription. The print is counted and audited
// in the same transaction that renders it, so a failed render is not
// counted. Only the signing prescriber's first print is the original;
// every other print says COPY (see store.PrintPrescription).
func (s *Server) prescriptionPDF(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var out []byte
	var serial string
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error {
		d, err := tx.PrintPrescription(principal(c), s.cfg.Policy, id, s.today())
		if err != nil {
			return err
		}
		serial = d.Serial
		out, err = pdf.Prescription(documents.Prescription(d, s.cfg.Policy, s.today()), s.pdfOptions())
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	writePDF(c, serial+".pdf", out)
}

// sharedCareSummaryPDF is the handover letter to the GP (SC4).
func (s *Server) sharedCareSummaryPDF(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	today := s.today()
	from := regimes.AddMonths(today, -documents.SummaryMonths)
	rec, err := s.db.SharedCareSummary(c.Request.Context(), principal(c), s.cfg.Policy, id, from, today)
	if err != nil {
		s.fail(c, err)
		return
	}
	more, err := s.db.SummaryContext(c.Request.Context(), principal(c), s.cfg.Policy, rec.Patient.ID, rec.Regime, from, today)
	if err != nil {
		s.fail(c, err)
		return
	}
	out, err := pdf.SharedCareSummary(documents.SharedCareSummary(rec, more, s.cfg.Policy, s.cfg.Timezone, today), s.pdfOptions())
	if err != nil {
		s.fail(c, err)
		return
	}
	writePDF(c, "shared-care-summary-"+rec.Patient.ID+".pdf", out)
}
