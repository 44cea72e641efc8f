package policy

import "fmt"

// Evidence grades from clinical-rules.md.
const (
	// EvidenceVerified was read in the cited primary source.
	EvidenceVerified = "V"
	// EvidenceSecondary comes from a secondary or local source.
	EvidenceSecondary = "S"
	// EvidenceUnverified has not been checked; such rules warn at most.
	EvidenceUnverified = "U"
)

// Rule is one row of the policy table as the API shows it.
type Rule struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Severity Severity `json:"severity"`
	// Summary is a sentence with the effective numbers, so a tuned policy
	// reads differently from the default.
	Summary  string `json:"summary"`
	Source   string `json:"source"`
	Evidence string `json:"evidence"`
	// Parameters are the rule's tunable numbers by configuration key.
	Parameters map[string]string `json:"parameters"`
}

type ruleSpec struct {
	id, title string
	severity  Severity
	evidence  string
	source    string
	summary   func(Numbers) string
}

func fixed(s string) func(Numbers) string { return func(Numbers) string { return s } }

// specs is the rule table. Severity is the strongest level the rule can
// reach; checks may report a milder one where the rule has two levels (for
// example M1 warns above 30 mg and needs an override above 40 mg), and the
// summary says which case gets which. Rules graded [U] are never a hard
// block, as clinical-rules.md requires: they warn, except SC3, whose failed
// criteria issue 5 asks to be overridden with a reason; an Override always
// lets a clinician with a recorded reason go ahead.
func specs() []ruleSpec {
	return []ruleSpec{
		{"ID1", "NHS number", Block, EvidenceVerified, "NHS Data Dictionary (NHS number, Modulus 11)",
			fixed("An NHS number has 10 digits, shown 3-3-4, and its 10th digit is the Modulus 11 check digit; numbers failing the check are refused.")},

		// M1 blocks above the upper figure only unless overridden, hence Override.
		{"M1", "Methadone starting dose", Override, EvidenceSecondary,
			"RCGP substitute-prescribing guidance; Martindale methadone 1 mg/ml SmPC 4.2 (10-Nov-2023)",
			func(n Numbers) string {
				return fmt.Sprintf("Usual methadone starting dose is %s–%s a day; warn above %s, above %s needs an override reason; warn above %s when a benzodiazepine or alcohol risk is recorded. "+
					"A start continuing methadone the patient is still on (last dose within %d days, dose known) is no induction: M2 judges its step, and only the sedative-risk warning applies.",
					n.M1UsualStartMin.MilligramsString(), n.M1UsualStartMax, n.M1StartWarnAbove, n.M1StartBlockAbove, n.M1SedativeWarnAbove, n.MD1ConsecutiveMissedDays)
			}},
		// M2 says bigger steps "need an override reason".
		{"M2", "Methadone titration", Override, EvidenceSecondary, "RCGP / BNF-style summaries (SmPC allows 10–20 mg)",
			func(n Numbers) string {
				return fmt.Sprintf("Methadone increases of at most %s per change, and at most %s in any rolling 7 days during the first %d weeks of a regime, counted again from a stage set back to induction (or to titration after maintenance or reduction); larger steps need an override reason.",
					n.M2MaxStep, n.M2MaxPer7Days, n.M2TitrationWeeks)
			}},
		{"M3", "Usual methadone maintenance dose", Info, EvidenceVerified, "Methadone 1 mg/ml SmPC 4.2",
			func(n Numbers) string {
				return fmt.Sprintf("Usual methadone maintenance dose is %s–%s a day (information only).", n.M3UsualMin.MilligramsString(), n.M3UsualMax)
			}},
		// M4 accepts "an ECG or an override", so the missing ECG is
		// overridable when a start or an increase reaches the high dose; a
		// change that does not raise it (a reduction, a stage alone) warns.
		{"M4", "High-dose methadone", Override, EvidenceSecondary, "DH 2007 high-dose monitoring guidance, cited by RCPsych audit",
			func(n Numbers) string {
				return fmt.Sprintf("Starting or increasing methadone to %s a day or more needs an ECG/QTc check dated within %d months, or an override reason; a change that does not raise a high dose (a reduction, a stage alone) warns that the check is due. High doses are reviewed every %d months.",
					n.M4HighDose, n.M4ECGValidMonths, n.M4ReviewMonths)
			}},
		// M5 is a due date, not a gate: an overdue review warns.
		{"M5", "Regime review", Warn, EvidenceVerified, "Methadone 1 mg/ml SmPC 4.2",
			func(n Numbers) string {
				return fmt.Sprintf("Long-term prescribing is reviewed at least every %d months; each regime has a review-due date.", n.M5ReviewMonths)
			}},
		// M6 allows relaxation by a recorded decision, which is an override.
		{"M6", "Supervised consumption", Override, EvidenceVerified, "NICE TA114 recommendation 1.3",
			func(n Numbers) string {
				return fmt.Sprintf("Daily consumption is supervised for at least the first %d months; take-home doses before then need a recorded decision that compliance is assured, recorded as M6's override.", n.M6SupervisedMonths)
			}},

		// B1: the figures are verified for Buvidal; for sublingual products
		// they are [U], so the checks report Warn for those.
		{"B1", "Buprenorphine induction timing", Override, EvidenceVerified,
			"Buvidal SmPC 4.2 (for the injection; sublingual figures unverified)",
			func(n Numbers) string {
				return fmt.Sprintf("Start buprenorphine at least %d hours after heroin or other short-acting opioids; from methadone, only at %s a day or less and at least %d hours after the last methadone dose.",
					n.B1ShortActingHours, n.B1MethadoneMax, n.B1MethadoneHours)
			}},
		{"B2", "Buprenorphine starting dose", Warn, EvidenceSecondary, "Local/secondary guidance",
			func(n Numbers) string {
				return fmt.Sprintf("Usual buprenorphine starting dose is %s–%s; warn above %s on day 1.", n.B2StartMin.MilligramsString(), n.B2StartMax, n.B2StartWarnAbove)
			}},
		// B3 names a block only for the daily maximum; steps outside the
		// usual size are a clinical choice, so they are overridable.
		{"B3", "Buprenorphine titration", Block, EvidenceSecondary, "Local/secondary guidance",
			func(n Numbers) string {
				return fmt.Sprintf("Buprenorphine increases in steps of %s–%s (otherwise an override reason); never more than %s on any day.", n.B3StepMin.MilligramsString(), n.B3StepMax, n.B3MaxDaily)
			}},
		// B4: switching is sometimes right, but the prescriber must mean it.
		{"B4", "Espranor not interchangeable", Override, EvidenceVerified, "NI Formulary 4.10.1",
			fixed("Espranor (oral lyophilisate) is not interchangeable with other buprenorphine products; a switch either way needs an override reason.")},

		{"BV1", "Buvidal strengths", Block, EvidenceVerified, "Buvidal package leaflet §6",
			fixed("Buvidal weekly doses are 8, 16, 24 or 32 mg and monthly doses 64, 96, 128 or 160 mg; no other dose is valid.")},
		{"BV2", "Buvidal administration", Block, EvidenceVerified, "Buvidal SmPC 4.1–4.2",
			fixed("Buvidal is given subcutaneously by a healthcare professional only (never take-home), into the buttock, thigh, abdomen or upper arm, to patients aged 16 or over.")},
		{"BV3", "Buvidal for buprenorphine-naive patients", Override, EvidenceVerified, "NHS Borders Buvidal protocol",
			func(n Numbers) string {
				return fmt.Sprintf("Patients new to buprenorphine have a %s sublingual test dose, then %s weekly Buvidal, with up to %d extra %s doses at least %d day(s) apart in week 1; the week 2 dose equals the week 1 total (a dose change planning another week 2 dose warns; the injection needs an override reason).",
					n.BV3TestDose, n.BV3FirstDose, n.BV3Week1Extras, n.BV6ExtraDose, n.BV3ExtraGapDays)
			}},
		// BV4 is a conversion guide; a different dose can be right.
		{"BV4", "Buvidal conversion from sublingual buprenorphine", Warn, EvidenceVerified, "Buvidal SmPC table via NHS Borders",
			fixed("Daily sublingual buprenorphine converts to weekly / monthly Buvidal: 2–6 mg → 8 mg / none; 8–10 → 16 / 64; 12–16 → 24 / 96; 18–24 → 32 / 128; 26–32 → none / 160.")},
		// BV5 has two levels. Monthly Buvidal with no buprenorphine treatment
		// behind it has no tolerance to judge a month's depot against: the
		// SmPC starts such patients on weekly doses, so that blocks. "Ideally
		// at least 4 weeks" of weekly treatment is a judgement, so a shorter
		// weekly phase, or a move straight from sublingual buprenorphine
		// (which BV4's table converts to monthly doses), needs an override reason.
		{"BV5", "Buvidal monthly after weekly", Block, EvidenceVerified, "Buvidal SmPC 4.2",
			func(n Numbers) string {
				return fmt.Sprintf("Monthly Buvidal only after stable weekly treatment, ideally at least %d weeks; switching either way is allowed. Monthly without any buprenorphine treatment is blocked; fewer weeks of weekly Buvidal, or none after sublingual buprenorphine, needs an override reason. Weeks are whole weeks from the first weekly injection to the monthly start, at most one per regular injection given.", n.BV5WeeklyWeeksMin)
			}},
		{"BV6", "Buvidal extra doses and maxima", Block, EvidenceVerified, "Buvidal SmPC 4.2",
			func(n Numbers) string {
				return fmt.Sprintf("At most one extra %s dose between regular doses; weekly maximum %s + %s, monthly maximum %s.", n.BV6ExtraDose, n.BV6WeeklyMax.MilligramsString(), n.BV6ExtraMax, n.BV6MonthlyMax)
			}},
		{"BV7", "Injection-site rotation", Warn, EvidenceVerified, "Buvidal SmPC 4.2",
			func(n Numbers) string {
				return fmt.Sprintf("Rotate injection sites; warn when a site is reused within %d weeks.", n.BV7SiteReuseWeeks)
			}},
		{"BV8", "Buvidal dosing window", Warn, EvidenceUnverified, "Buvidal SmPC 4.2 (not retrieved)",
			func(n Numbers) string {
				return fmt.Sprintf("A weekly dose is given within %d days of its due date and a monthly dose within %d days.", n.BV8WeeklyWindowDays, n.BV8MonthlyWindowDays)
			}},

		// BV9 is Dosebook's: BV1 bounds the strengths, but nothing else
		// ties the injection given to the one prescribed. A different dose
		// is sometimes right (the week 2 dose of BV3 before the change is
		// recorded), so a reason lets it through.
		{"BV9", "Buvidal given as prescribed", Override, EvidenceSecondary,
			"RPS/RCN Professional guidance on the administration of medicines in healthcare settings (2019)",
			fixed("A regular Buvidal injection is given at the dose prescribed for that day; a different dose needs the dose change recorded first, or an override reason. Extra 8 mg doses are judged by BV1 and BV6.")},

		// T1 is Dosebook's, for its append-only titration record (ADR
		// 0010): a prescriber holding or cutting a titration withdraws the
		// steps planned after it, and is told which.
		{"T1", "Planned dose changes withdrawn", Info, EvidenceUnverified, "Dosebook, following M2, B3 and BV1 (a titration plan is changed, never edited)",
			fixed("A dose change taking effect before changes planned but not yet in force withdraws them: they stay in the dose history, marked as withdrawn by the new change, and the answer names them. Changes already in force are history and are not rewritten.")},

		{"MD1", "Three missed days", Block, EvidenceVerified,
			"Home Office approved wording; St Helens and NI pharmacy specifications",
			func(n Numbers) string {
				return fmt.Sprintf("After %d or more consecutive missed days the pharmacy must not dispense: the next instalment is blocked until a prescriber records a review.", n.MD1ConsecutiveMissedDays)
			}},
		{"MD2", "Missed-dose alert", Info, EvidenceVerified, "Derbyshire specification; NI Formulary",
			func(n Numbers) string {
				return fmt.Sprintf("The prescriber is alerted after %d missed dose(s) during titration and after %d consecutive missed days when stable.", n.MD2TitrationMissed, n.MD2StableMissed)
			}},
		{"MD3", "Re-titration after missed methadone", Info, EvidenceSecondary, "Australian national guidelines 3.5",
			func(n Numbers) string {
				return fmt.Sprintf("After missed methadone days: 1–2 days no change; 3 days half the dose; 4 days the lower of 40 mg or half the dose; 5 or more days treat as a new induction, suggested at %s (M1's usual start, at most %s with a benzodiazepine or alcohol risk recorded), never above the dose the patient was on. A suggestion, never a block.",
					n.M1UsualStartMax, n.M1SedativeWarnAbove)
			}},
		// MD4 is the unnamed "no catch-up" rule; supplying a missed dose
		// later would defeat MD1, so it cannot be overridden.
		{"MD4", "No catch-up supply", Block, EvidenceVerified, "St Helens specification",
			fixed("Missed doses are never supplied later.")},
		// MD5 is Dosebook's: a day no prescription covers is a day without
		// a dose as surely as a missed one.
		{"MD5", "Days without a prescription", Warn, EvidenceUnverified, "Dosebook, following MD1 and MD3 (days without a dose lower tolerance)",
			fixed("A prescription that starts days after the regime's last one ended, or the regime's first one starting after the regime, leaves those days without a dose; the prescriber is warned.")},

		{"L1", "Prescription form", Block, EvidenceVerified, "Misuse of Drugs Regulations 2001 reg 15(1), 16(1)(b)",
			fixed("A controlled-drug prescription is indelible, dated and signed, with the prescriber's UK address.")},
		// L2 blocks issuing a prescription without the patient's address:
		// reg 16(1A) lets a pharmacist correct only slips and a quantity in
		// words or figures, so without it nothing can be dispensed. A
		// draft is only warned. The rest of L2 is met by construction (the
		// prescription writer states each of them).
		{"L2", "Prescription contents", Block, EvidenceVerified,
			"Misuse of Drugs Regulations 2001 reg 15(1)(e)–(f) and reg 16(1A)–(1B), read on legislation.gov.uk (the instalment direction not read)",
			fixed("The prescription states the patient's name and address, the dose, form and strength, the total quantity in words and figures, and for instalments the amount of each and the interval. A prescription is not issued to a patient with no address recorded (record 'No fixed abode' where that is so); a draft is written with a warning.")},
		{"L3", "Prescription validity", Block, EvidenceVerified, "Misuse of Drugs Regulations 2001 reg 16",
			func(n Numbers) string {
				return fmt.Sprintf("Nothing is supplied before the appropriate date or more than %d days after it; the first instalment is within %d days of the prescription date.", n.L3ValidDays, n.L3ValidDays)
			}},
		{"L5", "Supply length good practice", Warn, EvidenceUnverified, "Good practice",
			func(n Numbers) string {
				return fmt.Sprintf("Warn when a controlled-drug prescription covers more than %d days' supply.", n.L5MaxSupplyDays)
			}},
		{"L6", "FP10MDA length", Block, EvidenceVerified, "Community Pharmacy England",
			func(n Numbers) string {
				return fmt.Sprintf("An FP10MDA covers at most %d days of treatment and states the instalment amount and interval.", n.L6MaxDays)
			}},
		{"L7", "Home Office approved wording", Info, EvidenceVerified, "NHS GGC, Numark, Community Pharmacy England",
			fixed("Approved instalment wording is printed exactly as written by the Home Office.")},
		// L8 is enforced by construction: the prescription writer adds
		// wording 1 whenever a collection supplies a later day's dose, so the
		// rule can only inform the prescriber that it did.
		{"L8", "Advance supply needs approved wording", Info, EvidenceVerified, "NHS GGC, Numark, Community Pharmacy England",
			fixed("Without the approved wording nothing may be supplied in advance of its day: Dosebook adds approved wording 1 to every prescription that supplies a dose ahead of its day, and says so.")},
		{"L9", "NHS number on prescriptions", Warn, EvidenceSecondary, "Secondary guidance",
			fixed("The NHS number is recommended on controlled-drug prescriptions.")},

		// S1: a dose event missing these fields is not a record at all.
		{"S1", "Dose event record", Block, EvidenceVerified, "Derbyshire and Cornwall specifications",
			fixed("Each dose event records date and time, product, dose, outcome, identity confirmed, the pharmacist and notes.")},
		{"S3", "Intoxicated patient", Block, EvidenceVerified, "Pharmacy specifications",
			fixed("Do not dispense to an intoxicated patient: record \"withheld\" with the reason and notify the prescriber.")},
		{"S4", "Notify the prescriber", Info, EvidenceVerified, "Pharmacy specifications",
			func(n Numbers) string {
				return fmt.Sprintf("The prescriber is notified of missed doses, intoxication and intermittent attendance (Dosebook's figure: %d or more dose days missed within %d days, not all in one run).",
					n.S4AttendanceMissedDays, n.S4AttendanceWindowDays)
			}},
		{"S6", "Supervision during titration", Warn, EvidenceVerified, "St Helens specification",
			func(n Numbers) string {
				return fmt.Sprintf("Consumption is supervised throughout titration; the need is reviewed after %d weeks (methadone) or %d week(s) (buprenorphine).", n.S6MethadoneReviewWeeks, n.S6BuprenorphineReviewWeeks)
			}},
		// S7 is the pharmacy's side of M6 and S6, which the prescriber
		// decides: a dose prescribed as supervised is taken in front of the
		// pharmacist, or it is not handed over at all. The pharmacist cannot
		// override it; only a new pickup pattern from the prescriber can.
		// Supervising a take-home dose is always allowed: it hands over
		// nothing the prescription does not.
		{"S7", "Supervised doses taken under supervision", Block, EvidenceVerified,
			"NICE TA114 recommendation 1.3; St Helens specification (the supervision M6 and S6 prescribe)",
			fixed("An instalment with a supervised amount is consumed in front of the pharmacist and recorded as supervised (any take-home part of it is handed over with it); only an instalment with no supervised amount may be recorded as collected. A pharmacist may always supervise a take-home dose.")},

		// S8 is Dosebook's. M6 and S6 say who is supervised; approved
		// wording 1 supplies a closed day's dose on an earlier day, so a long
		// closure sends a supervised patient home with many days' doses at
		// once. That may be unavoidable, so it warns.
		{"S8", "Supervised days carried home for closed days", Warn, EvidenceUnverified,
			"Dosebook, following M6 and S6 (supervised consumption) and L7 approved wording 1 (a closed day's dose on a prior day)",
			func(n Numbers) string {
				return fmt.Sprintf("When the pharmacy's closed days make one instalment carry more than %d of the pickup pattern's supervised days home, the prescriber is warned, naming the instalment, the days and the amount.", n.S8MaxClosedDaysCarried)
			}},

		// SC1 criteria are "usually", so a handover outside them warns.
		{"SC1", "Shared care eligibility", Warn, EvidenceSecondary, "Generic shared-care policies",
			func(n Numbers) string {
				return fmt.Sprintf("Shared care when stable on the current dose (usually more than 3 months), with a written agreement; the GP does not titrate; specialist review at least every %d months; either party can hand prescribing back.", n.SC1SpecialistReviewMonths)
			}},
		// SC3 is [U], so never a hard block: its criteria are configurable
		// defaults, and a proposal failing one goes ahead once the prescriber
		// records why (issue 5: "failed ones may be overridden with a reason").
		{"SC3", "Shared care suggested criteria", Override, EvidenceUnverified, "Dosebook suggested defaults (unverified)",
			func(n Numbers) string {
				return fmt.Sprintf("Suggested, configurable criteria: no dose change for %d weeks; at least %d%% of due doses taken in the last %d weeks; no missed-dose block in that period; a drug screen in the last %d weeks negative for illicit opioids. A proposal failing any of them needs an override reason, which is recorded; none is a hard block.",
					n.SC3StableWeeks, n.SC3AdherencePercent, n.SC3AdherenceWeeks, n.SC3ScreenWeeks)
			}},
		{"SC4", "Handover summary", Info, EvidenceUnverified, "Dosebook proposal",
			fixed("The handover summary carries identity and NHS number, medicine and current dose, last change and prescription end, pharmacy and supervision, keyworker, drug screens, risks, naloxone, responsibilities, review interval and the route back to the specialist.")},
	}
}

func (s ruleSpec) rule(n Numbers) Rule {
	return Rule{
		ID:         s.id,
		Title:      s.title,
		Severity:   s.severity,
		Summary:    s.summary(n),
		Source:     s.source,
		Evidence:   s.evidence,
		Parameters: n.parametersFor(s.id),
	}
}

// Table is the effective policy: every rule with its numbers filled in.
func Table(n Numbers) []Rule {
	ss := specs()
	out := make([]Rule, len(ss))
	for i, s := range ss {
		out[i] = s.rule(n)
	}
	return out
}

// RuleByID finds one rule of the effective policy.
func RuleByID(n Numbers, id string) (Rule, bool) {
	for _, s := range specs() {
		if s.id == id {
			return s.rule(n), true
		}
	}
	return Rule{}, false
}

// SeverityOf is the table severity of rule id. An unknown id is a
// programming error; it reports Block so that a typo fails safe.
func SeverityOf(id string) Severity {
	for _, s := range specs() {
		if s.id == id {
			return s.severity
		}
	}
	return Block
}

// overridableBlocks are the rules whose table severity is Block but which
// also report a level at Override (FindingAt): B3's step outside the usual
// size, BV5's shorter weekly phase or move from sublingual buprenorphine.
var overridableBlocks = map[string]bool{"B3": true, "BV5": true}

// Overridable reports whether some level of rule id takes an override
// reason: its table severity is Override, or it is one of the Block rules
// with a level at Override. Any other rule cannot be overridden: it only
// ever blocks, or it never stops an action.
func Overridable(id string) bool {
	return SeverityOf(id) == Override || overridableBlocks[id]
}

// Finding reports rule id at its table severity.
func (n Numbers) Finding(id, message, action string) Finding {
	return Finding{Rule: id, Severity: SeverityOf(id), Message: message, Action: action}
}

// FindingAt reports rule id at a severity other than the table's, for rules
// with two levels (M1 warns at one figure and needs an override at another).
func (n Numbers) FindingAt(id string, severity Severity, message, action string) Finding {
	return Finding{Rule: id, Severity: severity, Message: message, Action: action}
}
