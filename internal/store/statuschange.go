package store

// statusChange is how an audit event records a status moved, in the shape
// every from-and-to change is audited in (ecg_date, a pharmacy's opening,
// the patient's pharmacy): {"from": …, "to": …}, under the key "status"
// beside the event's other keys. An empty from is null: the record did not
// exist before (a prescription issued as it is written).
func statusChange[S ~string](from, to S) map[string]any {
	var was any
	if from != "" {
		was = from
	}
	return map[string]any{"from": was, "to": to}
}
