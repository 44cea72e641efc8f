package patients

import "testing"

func TestClassifyScreened(t *testing.T) {
	t.Parallel()
	const (
		other = OtherOpioid
		meth  = MethadoneFound
		bup   = BuprenorphineFound
		none  = NotAnOpioid
	)
	tests := []struct {
		name string
		want ScreenedOpioid
	}{
		{"fentanyl", other},
		{"Carfentanil", other},
		{"acetylfentanyl", other},
		{"isotonitazene", other},
		{"N-pyrrolidino etonitazene", other},
		{"etodesnitazene", other},
		{"metonitazene", other},
		{"brorphine", other},
		{"6-MAM", other},
		{"6-monoacetylmorphine", other},
		{"heroin", other},
		{"oxycodone", other},
		{"dihydrocodeine", other},
		{" Tramadol ", other},
		{"Opioids (broad screen)", other},
		{"opiates", other},
		{"Opiate screen", other},
		{"opium", other},
		{"Co-codamol", other},
		{"co-dydramol", other},
		{"co-proxamol", other},
		{"dextropropoxyphene", other},
		{"OxyContin", other},
		{"Oxycodone/naloxone", other},
		{"Targinact", other},
		{"Oramorph", other},
		{"Zomorph", other},
		{"MST Continus", other},
		{"MST", other},
		{"DF118", other},
		{"Nurofen Plus", other},
		{"Solpadeine", other},
		{"Migraleve", other},
		{"Feminax", other},
		{"Abstral", other},
		{"Palexia", other},
		{"Durogesic patch", other},
		{"kratom (mitragynine)", other},
		// A class result is positive for something the screen kept in.
		{"Opiates screen (excl. methadone)", other},
		{"Opioids excluding buprenorphine", other},
		{"Opioid (non-methadone)", other},
		{"Opioids (broad screen) - methadone and buprenorphine excluded", other},
		{"methadone", meth},
		{"Physeptone", meth},
		{"EDDP", meth},
		{"EDDP (methadone metabolite)", meth},
		{"buprenorphine", bup},
		{"norbuprenorphine", bup},
		{"Temgesic", bup},
		{"Butrans patch", bup},
		{"Suboxone", bup},
		{"Espranor", bup},
		{"pregabalin", none},
		{"gabapentin", none},
		{"xylazine", none},
		{"ketamine", none},
		{"hydroxyzine", none},
		{"Amsterdam sample", none},
		{"synthetic cannabinoids", none},
		{"", none},
	}
	for _, tt := range tests {
		if got := ClassifyScreened(tt.name); got != tt.want {
			t.Errorf("ClassifyScreened(%q) = %d, want %d", tt.name, got, tt.want)
		}
	}
}
