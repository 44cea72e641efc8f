package httpapi

import "github.com/dosebook/dosebook/internal/auth"

// clinicalRoutes are the prescribing, dispensing and shared-care endpoints.
func (s *Server) clinicalRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/v1/policy", Permission: auth.PermPolicyRead, handler: s.getPolicy},
		{Method: "GET", Path: "/v1/formulary", Permission: auth.PermFormularyRead, handler: s.getFormulary},
		{Method: "GET", Path: "/v1/patients", Permission: auth.PermPatientsRead, handler: s.listPatients},
		{Method: "POST", Path: "/v1/patients", Permission: auth.PermPatientsWrite, handler: s.createPatient},
		{Method: "GET", Path: "/v1/patients/:id", Permission: auth.PermPatientsRead, handler: s.getPatient},
		{Method: "PATCH", Path: "/v1/patients/:id", Permission: auth.PermPatientsWrite, handler: s.updatePatient},
		{Method: "GET", Path: "/v1/reports/rapid-access", Permission: auth.PermReportsRead, handler: s.rapidAccessReport},
		{Method: "GET", Path: "/v1/patients/:id/regimes", Permission: auth.PermPatientsRead, handler: s.listRegimes},
		{Method: "POST", Path: "/v1/patients/:id/regimes", Permission: auth.PermRegimesWrite, handler: s.startRegime},
		{Method: "GET", Path: "/v1/patients/:id/drug-screens", Permission: auth.PermPatientsRead, handler: s.listDrugScreens},
		{Method: "POST", Path: "/v1/patients/:id/drug-screens", Permission: auth.PermScreensWrite, handler: s.recordDrugScreen},
		{Method: "GET", Path: "/v1/regimes/:id", Permission: auth.PermPatientsRead, handler: s.getRegime},
		{Method: "POST", Path: "/v1/regimes/:id/end", Permission: auth.PermRegimesWrite, handler: s.endRegime},
		{Method: "POST", Path: "/v1/regimes/:id/pattern", Permission: auth.PermRegimesWrite, handler: s.changePattern},
		{Method: "POST", Path: "/v1/regimes/:id/pharmacy", Permission: auth.PermRegimesWrite, handler: s.movePharmacy},
		{Method: "GET", Path: "/v1/regimes/:id/dose-changes", Permission: auth.PermPatientsRead, handler: s.listDoseChanges},
		{Method: "POST", Path: "/v1/regimes/:id/dose-changes", Permission: auth.PermTitrate, handler: s.changeDose},
		{Method: "GET", Path: "/v1/regimes/:id/administrations", Permission: auth.PermPatientsRead, handler: s.listAdministrations},
		{Method: "POST", Path: "/v1/regimes/:id/administrations", Permission: auth.PermAdminister, handler: s.recordAdministration},
		{Method: "POST", Path: "/v1/administrations/:id/entered-in-error", Permission: auth.PermAdminister, handler: s.administrationEnteredInError},
		{Method: "GET", Path: "/v1/prescriptions", Permission: auth.PermPrescRead, handler: s.listPrescriptions},
		{Method: "POST", Path: "/v1/prescriptions", Permission: auth.PermPrescribe, handler: s.createPrescription},
		{Method: "GET", Path: "/v1/prescriptions/:id", Permission: auth.PermPrescRead, handler: s.getPrescription},
		{Method: "POST", Path: "/v1/prescriptions/:id/issue", Permission: auth.PermPrescribe, handler: s.issuePrescription},
		{Method: "POST", Path: "/v1/prescriptions/:id/cancel", Permission: auth.PermPrescribe, handler: s.cancelPrescription},
		{Method: "GET", Path: "/v1/pharmacies/:id/opening", Permission: auth.PermPrescRead, handler: s.getOpening},
		{Method: "PUT", Path: "/v1/pharmacies/:id/opening", Permission: auth.PermPharmacyManage, handler: s.setOpening},
	}
}

// dispensingRoutes are the pharmacist's endpoints and the missed-dose
// safety net around them.
func (s *Server) dispensingRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/v1/pharmacies/:id/doses", Permission: auth.PermPharmacyDoses, handler: s.dayList},
		{Method: "POST", Path: "/v1/pharmacies/:id/day-close", Permission: auth.PermDayClose, handler: s.closeDay},
		{Method: "GET", Path: "/v1/pharmacies/:id/balance", Permission: auth.PermPharmacyDoses, handler: s.pharmacyBalance},
		{Method: "POST", Path: "/v1/instalments/:id/events", Permission: auth.PermDosesRecord, handler: s.recordDose},
		{Method: "GET", Path: "/v1/patients/:id/doses", Permission: auth.PermDosesRead, handler: s.patientDoses},
		{Method: "POST", Path: "/v1/patients/:id/reviews", Permission: auth.PermReviewsWrite, handler: s.recordReview},
		{Method: "GET", Path: "/v1/prescriptions/:id/balance", Permission: auth.PermPrescRead, handler: s.prescriptionBalance},
		{Method: "GET", Path: "/v1/alerts", Permission: auth.PermAlertsRead, handler: s.listAlerts},
		{Method: "POST", Path: "/v1/alerts/:id/acknowledge", Permission: auth.PermAlertsAck, handler: s.acknowledgeAlert},
	}
}
