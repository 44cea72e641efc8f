package prescriptions

import (
	"math"
	"strconv"
	"testing"

	"github.com/dosebook/dosebook/internal/dosing"
)

func TestNumberInWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n    int64
		want string
	}{
		{0, "zero"},
		{1, "one"},
		{11, "eleven"},
		{19, "nineteen"},
		{20, "twenty"},
		{21, "twenty-one"},
		{99, "ninety-nine"},
		{100, "one hundred"},
		{101, "one hundred and one"},
		{110, "one hundred and ten"},
		{840, "eight hundred and forty"},
		{999, "nine hundred and ninety-nine"},
		{1000, "one thousand"},
		{1005, "one thousand and five"},
		{1050, "one thousand and fifty"},
		{1100, "one thousand one hundred"},
		{1234, "one thousand two hundred and thirty-four"},
		{20000, "twenty thousand"},
		{100001, "one hundred thousand and one"},
		{123456, "one hundred and twenty-three thousand four hundred and fifty-six"},
		{1000000, "one million"},
		{2000040, "two million and forty"},
		{1001000, "one million one thousand"},
		{-7, "minus seven"},
		{math.MaxInt64, "nine quintillion two hundred and twenty-three quadrillion three hundred and seventy-two trillion thirty-six billion eight hundred and fifty-four million seven hundred and seventy-five thousand eight hundred and seven"},
		{math.MinInt64, "minus nine quintillion two hundred and twenty-three quadrillion three hundred and seventy-two trillion thirty-six billion eight hundred and fifty-four million seven hundred and seventy-five thousand eight hundred and eight"},
	}
	for _, tt := range tests {
		t.Run(strconv.FormatInt(tt.n, 10), func(t *testing.T) {
			t.Parallel()
			if got := NumberInWords(tt.n); got != tt.want {
				t.Errorf("NumberInWords(%d) = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
}

func TestAmountInWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		m    dosing.Micrograms
		want string
	}{
		{0, "zero"},
		{dosing.Mg(30), "thirty"},
		{33600, "thirty-three point six"},
		{2500, "two point five"},
		{500, "zero point five"},
		{50, "zero point zero five"},
		{1, "zero point zero zero one"},
		{1050, "one point zero five"},
		{dosing.Mg(840), "eight hundred and forty"},
		{dosing.Mg(1005), "one thousand and five"},
		{-2500, "minus two point five"},
		{-500, "minus zero point five"},
	}
	for _, tt := range tests {
		t.Run(tt.m.MilligramsString(), func(t *testing.T) {
			t.Parallel()
			if got := AmountInWords(tt.m); got != tt.want {
				t.Errorf("AmountInWords(%d µg) = %q, want %q", int64(tt.m), got, tt.want)
			}
		})
	}
}

func TestTotalQuantity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		total dosing.Micrograms
		unit  string
		want  string
	}{
		{"methadone", dosing.Mg(840), dosing.UnitMillilitres, "840 (eight hundred and forty) millilitres"},
		{"buprenorphine decimal", 33600, dosing.UnitMilligrams, "33.6 (thirty-three point six) milligrams"},
		{"one millilitre", dosing.Mg(1), dosing.UnitMillilitres, "1 (one) millilitre"},
		{"one milligram", dosing.Mg(1), dosing.UnitMilligrams, "1 (one) milligram"},
		{"just over one", 1500, dosing.UnitMilligrams, "1.5 (one point five) milligrams"},
		{"under one", 500, dosing.UnitMillilitres, "0.5 (zero point five) millilitres"},
		{"thousand and five", dosing.Mg(1005), dosing.UnitMillilitres, "1005 (one thousand and five) millilitres"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := TotalQuantity(tt.total, tt.unit); got != tt.want {
				t.Errorf("TotalQuantity = %q, want %q", got, tt.want)
			}
		})
	}
}
