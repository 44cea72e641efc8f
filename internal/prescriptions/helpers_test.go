package prescriptions

import "github.com/dosebook/dosebook/internal/dosing"

// UniformPattern uses the same pickup every day.
func UniformPattern(p Pickup) WeeklyPattern {
	var w WeeklyPattern
	for i := range w {
		w[i] = p
	}
	return w
}

// Amount is everything handed over at this collection.
func (i Instalment) Amount() dosing.Micrograms { return i.Supervised + i.TakeHome }
